# lines: 3
FROM debian:12
ENTRYPOINT /bin/app --flag
