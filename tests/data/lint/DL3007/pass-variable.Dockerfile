ARG TAG=latest
FROM debian:$TAG
