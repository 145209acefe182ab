# lines: 5
FROM node AS foo
RUN echo hello
RUN wget my.xyz
RUN curl my.xyz
RUN echo hello
