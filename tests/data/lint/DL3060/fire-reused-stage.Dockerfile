# lines: 3
FROM node:20 AS foo
RUN yarn install
FROM foo
RUN hey
