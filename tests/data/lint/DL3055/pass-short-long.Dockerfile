FROM debian:buster
LABEL revision="abcdef1"
LABEL revision="0123456789abcdef0123456789abcdef01234567"
