ENV PATH=/bla:${PATH}
ENV PATH=/blubb:${PATH}
