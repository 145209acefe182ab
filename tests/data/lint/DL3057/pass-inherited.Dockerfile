FROM debian:buster AS base
HEALTHCHECK NONE
FROM base
RUN true
