# lines: 4
FROM golang:1.22 AS builder
FROM debian:12
COPY --from=BUILDR /app /app
