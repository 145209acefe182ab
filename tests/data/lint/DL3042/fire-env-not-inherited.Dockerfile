# lines: 5
FROM debian:buster AS base
ENV PIP_NO_CACHE_DIR=1
FROM debian:buster
RUN pip install six
