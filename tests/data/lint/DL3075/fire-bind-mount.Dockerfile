# lines: 3
FROM node:20
RUN --mount=type=bind,target=/root/.local/share/pnpm/store pnpm install --frozen-lockfile
