# lines: 3
FROM debian:buster
LABEL maintainer="John Doe"
