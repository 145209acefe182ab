# lines: 3
FROM debian:12
RUN --mount=type=cache,id=$CACHE_ID,target=/var/cache/apt apt-get update
ARG CACHE_ID=apt
