FROM node AS foo
RUN wget my.xyz
FROM scratch
RUN curl localhost
