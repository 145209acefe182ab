FROM node:18 AS build
COPY src/ .
COPY package.json yarn.lock /app/
FROM scratch
COPY --from=build . /
ADD . /app
