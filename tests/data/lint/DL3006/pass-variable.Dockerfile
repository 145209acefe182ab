ARG IMAGE=debian:12
FROM $IMAGE
FROM ${IMAGE}
ARG REG=docker.io
FROM ${REG}/library/debian
