# lines: 3
FROM debian:buster
LABEL maintainer="not-email"
