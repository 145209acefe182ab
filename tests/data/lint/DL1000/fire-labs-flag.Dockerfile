# lines: 3
FROM debian:12
RUN --security=insecure true
