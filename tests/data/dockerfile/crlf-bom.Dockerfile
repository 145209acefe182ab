# syntax=docker/dockerfile:1
# a comment
FROM debian:12
RUN echo a \
    && echo b
RUN <<EOF
echo c
EOF
ENV K=v
