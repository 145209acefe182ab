FROM debian:buster
LABEL author="me" version="1.0.0"
