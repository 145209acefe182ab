# lines: 3
FROM node:20
RUN npm ci
