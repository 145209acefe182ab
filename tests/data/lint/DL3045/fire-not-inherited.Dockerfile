# lines: 5
FROM debian:buster AS stage1
WORKDIR /usr
FROM debian:buster
COPY foo bar
