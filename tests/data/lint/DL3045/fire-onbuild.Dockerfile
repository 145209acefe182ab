# lines: 3
FROM debian:buster
ONBUILD COPY foo bar
