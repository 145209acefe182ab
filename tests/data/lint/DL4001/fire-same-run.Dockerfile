# lines: 3
FROM node AS foo
RUN wget my.xyz && curl localhost
