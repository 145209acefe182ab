# lines: 3
FROM debian:buster
LABEL version="v1.0.0"
