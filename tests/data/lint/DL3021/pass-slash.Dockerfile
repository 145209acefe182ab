FROM node:20
COPY package.json yarn.lock my_app/
COPY package.json /app
COPY ["a", "b", "/app/"]
