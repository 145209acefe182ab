# lines: 3
FROM node:20
RUN pnpm install --frozen-lockfile
