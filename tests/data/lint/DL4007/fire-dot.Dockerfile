# lines: 3 4 5 6
FROM node:18 AS build
COPY . .
COPY . /app
COPY './' /app
COPY --chown=node:node ["./", "/srv/"]
RUN echo hello
