FROM debian:12
RUN apt-get install -y -o APT::Install-Recommends=false curl=7.88.1-10
