# lines: 3 4 5
FROM debian:12
LABEL
ARG
ARG =1
