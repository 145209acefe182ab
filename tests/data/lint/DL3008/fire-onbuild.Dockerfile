# lines: 3
FROM debian:12
ONBUILD RUN apt-get install -y python3
