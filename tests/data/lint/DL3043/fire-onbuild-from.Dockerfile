# lines: 3
FROM debian:buster
ONBUILD FROM debian:buster
