FROM debian:buster
LABEL maintainer="john.doe+docker@example.com"
LABEL maintainer="root@localhost"
