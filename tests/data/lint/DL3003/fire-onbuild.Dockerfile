# lines: 3
FROM debian:12
ONBUILD RUN cd /tmp && make
