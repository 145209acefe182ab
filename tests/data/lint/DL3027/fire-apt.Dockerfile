# lines: 3
FROM debian:12
RUN apt install -y curl
