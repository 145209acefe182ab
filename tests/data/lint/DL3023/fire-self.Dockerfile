# lines: 3
FROM node:20 AS foo
COPY --from=foo bar .
