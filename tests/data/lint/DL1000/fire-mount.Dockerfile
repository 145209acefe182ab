# lines: 3 4 5 6
FROM debian:12
RUN --mount=type=cahce,target=/var/cache/apt apt-get update
RUN --mount=type=cache,dest=/x,target=/y true
RUN --mount=type=cache,target true
RUN --network=bridge true
