# lines: 4
FROM debian:12 AS one
ARG IMAGE=alpine
FROM $IMAGE
