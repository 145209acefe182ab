# lines: 2
RUN true
FROM debian:buster
