# lines: 2
FROM debian:buster
LABEL author="me"
