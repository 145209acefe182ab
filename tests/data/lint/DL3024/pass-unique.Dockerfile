FROM debian:12 AS build
FROM debian:12 AS test
FROM debian:12
FROM debian:12
