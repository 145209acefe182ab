# lines: 3
FROM node:20
RUN npm install git+https://github.com/npm/cli.git
