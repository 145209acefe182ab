FROM debian:buster
ONBUILD RUN echo hi
ONBUILD COPY . /app
