FROM debian:buster AS base
LABEL author="me" version="1.0.0"
FROM base
RUN true
