# lines: 3
FROM debian:buster
LABEL org.example_foo="bar" ok="1"
