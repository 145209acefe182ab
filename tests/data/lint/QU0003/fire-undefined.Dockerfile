# lines: 3 4
ARG TAG=12
FROM debian:${TAG}-${VARIANT} AS base
FROM --platform=$MYPLATFORM base
