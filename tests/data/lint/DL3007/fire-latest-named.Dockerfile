# lines: 3
FROM golang:1.21 AS build
FROM debian:latest AS runtime
