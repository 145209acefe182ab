# lines: 4 6
FROM node AS foo
RUN wget my.xyz
RUN curl my.xyz
RUN echo hello
RUN wget foo.com
