FROM debian:buster
LABEL version="1.0.0"
LABEL version="2.10.3-rc.1+build.5"
