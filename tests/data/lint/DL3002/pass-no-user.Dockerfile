FROM debian:12
RUN true
