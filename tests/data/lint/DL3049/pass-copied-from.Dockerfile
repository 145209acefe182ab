FROM golang:1.22 AS build
RUN go build ./...
FROM debian:buster
LABEL author="me" version="1.0.0"
COPY --from=build /out /out
