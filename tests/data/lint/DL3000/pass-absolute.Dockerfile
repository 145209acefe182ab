FROM debian:12
WORKDIR /usr/src/app
WORKDIR "/quoted dir"
