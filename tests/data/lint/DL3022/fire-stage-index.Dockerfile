# lines: 2 4
COPY --from=0 bar .
FROM debian:12
COPY --from=5 bar .
