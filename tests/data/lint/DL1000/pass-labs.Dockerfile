# syntax=docker/dockerfile:1-labs
FROM debian:12
RUN --security=insecure --device=/dev/fuse true
