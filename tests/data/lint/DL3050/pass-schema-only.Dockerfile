FROM debian:buster
LABEL author="me"
