FROM debian:buster
LABEL org.opencontainers.image.title="x" maintainer="me" version2="1"
