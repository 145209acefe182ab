# lines: 5
FROM golang:1.22 AS builder
RUN go build -o /app .
FROM debian:12
COPY --from=buidler /app /app
