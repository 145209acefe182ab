FROM node:20
RUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install
