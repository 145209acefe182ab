# lines: 3
FROM debian:buster
LABEL maintainer="john..doe@example.com"
