FROM debian:buster
RUN /foo.sh
WORKDIR /
RUN /bar.sh
