# lines: 3
FROM debian:12
ONBUILD RUN apt-get install curl=7.88.1-10
