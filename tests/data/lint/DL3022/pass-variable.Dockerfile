FROM debian:12
ARG BUILDER=golang:1.21
COPY --from=${BUILDER} /go/bin/app /app
