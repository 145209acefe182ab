# lines: 3
FROM node:20
RUN --mount=type=bind,target=/root/.npm npm ci
