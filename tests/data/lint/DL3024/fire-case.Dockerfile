# lines: 3
FROM debian:12 AS Build
FROM debian:12 AS build
