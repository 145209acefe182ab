# lines: 4
FROM debian:12
ENTRYPOINT ["a"]
ENTRYPOINT b
