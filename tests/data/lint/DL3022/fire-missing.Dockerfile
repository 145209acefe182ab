# lines: 3
FROM debian:12
COPY --from=foo bar .
