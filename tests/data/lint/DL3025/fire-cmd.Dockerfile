# lines: 3
FROM debian:12
CMD echo hello
