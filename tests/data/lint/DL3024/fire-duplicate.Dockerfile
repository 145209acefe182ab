# lines: 4
FROM debian:12 AS build
RUN true
FROM debian:12 AS build
