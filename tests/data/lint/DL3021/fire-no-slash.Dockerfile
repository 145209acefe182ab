# lines: 3
FROM node:20
COPY package.json yarn.lock my_app
