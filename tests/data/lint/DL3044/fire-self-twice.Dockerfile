# lines: 2
ENV PATH=/bla:${PATH} PATH=/blubb:${PATH}
