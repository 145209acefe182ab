# lines: 3
FROM debian:12
ONBUILD RUN apt-get update && apt-get upgrade -y
