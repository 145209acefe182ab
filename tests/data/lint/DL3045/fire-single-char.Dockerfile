# lines: 3
FROM debian:buster
COPY a b
