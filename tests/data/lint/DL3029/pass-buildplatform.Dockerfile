FROM --platform=$BUILDPLATFORM golang:1.21 AS build
FROM --platform=${TARGETPLATFORM} debian:12
FROM --platform="$BUILDPLATFORM" debian:12
