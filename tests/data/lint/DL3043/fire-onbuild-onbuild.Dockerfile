# lines: 3
FROM debian:buster
ONBUILD ONBUILD RUN true
