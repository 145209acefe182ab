# lines: 3
FROM debian:buster
COPY bla.sh blubb.sh
