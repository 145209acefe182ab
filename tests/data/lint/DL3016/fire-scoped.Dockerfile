# lines: 3
FROM node:20
RUN npm install -g @angular/cli
