# lines: 3 4 5
FROM debian:12
COPY --from a b
COPY --link=yes a b
COPY --from=x --from=y a b
