# lines: 3
FROM debian:buster
LABEL revision="ABCDEF1"
