# lines: 3
FROM node:20
ONBUILD RUN npm install express
