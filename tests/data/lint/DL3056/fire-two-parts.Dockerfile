# lines: 3
FROM debian:buster
LABEL version="1.0"
