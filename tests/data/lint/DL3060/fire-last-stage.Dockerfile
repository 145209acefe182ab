# lines: 3
FROM node:20
RUN yarn install foo
