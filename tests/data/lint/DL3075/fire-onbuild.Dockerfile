# lines: 3
FROM node:20
ONBUILD RUN pnpm install --frozen-lockfile
