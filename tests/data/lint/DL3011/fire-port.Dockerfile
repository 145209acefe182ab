# lines: 3
FROM debian:12
EXPOSE 80 65536
