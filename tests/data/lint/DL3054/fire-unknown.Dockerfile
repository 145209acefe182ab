# lines: 3
FROM debian:buster
LABEL license="Apache 2"
