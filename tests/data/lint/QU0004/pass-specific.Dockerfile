FROM alpine:3.20
RUN apk add --no-cache --upgrade openssl
FROM fedora:40
RUN dnf -y update openssl && dnf clean all
FROM debian:12
RUN apt-get update && apt-get install -y --only-upgrade openssl
RUN echo "apt-get upgrade" > /notes.txt
