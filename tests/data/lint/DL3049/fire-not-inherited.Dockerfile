# lines: 4 4
FROM debian:buster AS base
LABEL author="me" version="1.0.0"
FROM debian:buster
RUN true
