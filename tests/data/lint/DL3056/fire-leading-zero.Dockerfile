# lines: 3 4
FROM debian:buster
LABEL version="01.0.0"
LABEL version="1.0.0-"
