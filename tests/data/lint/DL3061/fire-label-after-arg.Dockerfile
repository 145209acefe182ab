# lines: 3
ARG X=1
LABEL foo=bar
FROM debian:buster
