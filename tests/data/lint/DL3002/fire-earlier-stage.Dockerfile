# lines: 3
FROM debian:12 AS base
USER root
RUN true
FROM scratch
USER app
