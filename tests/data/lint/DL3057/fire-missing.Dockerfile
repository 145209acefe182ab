# lines: 2
FROM debian:buster
RUN true
