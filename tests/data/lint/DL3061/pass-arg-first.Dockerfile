# comment
ARG TAG=buster
FROM debian:${TAG}
RUN true
