# lines: 3
FROM debian:buster
ONBUILD MAINTAINER me
