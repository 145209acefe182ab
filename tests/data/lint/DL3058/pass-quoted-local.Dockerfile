FROM debian:buster
LABEL maintainer="\"john doe\"@example.com"
LABEL maintainer="x@[127.0.0.1]"
