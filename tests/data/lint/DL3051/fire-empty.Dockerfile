# lines: 3
FROM debian:buster
LABEL author=""
