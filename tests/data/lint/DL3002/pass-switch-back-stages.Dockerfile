FROM debian:12 AS base
USER root
RUN true
USER app
FROM scratch
RUN true
