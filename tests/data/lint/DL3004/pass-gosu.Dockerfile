FROM debian:12
RUN gosu app make && echo sudo
