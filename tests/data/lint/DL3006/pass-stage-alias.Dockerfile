FROM golang:1.21 AS build
RUN true
FROM build AS unit-test
RUN true
FROM alpine:3.19
