FROM node:20
RUN npm install && npm ci && npm run install express
