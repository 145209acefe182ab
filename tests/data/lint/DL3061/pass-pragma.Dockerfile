# syntax = docker/dockerfile:1.0-experimental
FROM node:16-alpine3.13
ARG A=B
RUN echo bla
