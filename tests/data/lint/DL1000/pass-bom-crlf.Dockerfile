# syntax=docker/dockerfile:1
FROM debian:12
RUN echo a \
    && echo b
RUN <<EOF
echo c
EOF
