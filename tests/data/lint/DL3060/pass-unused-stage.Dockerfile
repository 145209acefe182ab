FROM node:20 AS foo
RUN yarn install foo
FROM scratch
COPY --from=foo /app /app
