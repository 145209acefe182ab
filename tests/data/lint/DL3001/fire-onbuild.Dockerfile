# lines: 3
FROM debian:12
ONBUILD RUN vim /etc/hosts
