# lines: 3
FROM debian:12
EXPOSE 8000-80000/tcp
