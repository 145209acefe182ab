# lines: 3 4 5
FROM debian:12
RUN apt-get update && apt-get -y upgrade
RUN apt-get update && apt-get dist-upgrade -y && apt-get install -y curl
RUN apt full-upgrade -y
