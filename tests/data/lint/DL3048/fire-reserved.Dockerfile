# lines: 3 4 5
FROM debian:buster
LABEL com.docker.foo="bar"
LABEL org.example..foo="bar"
LABEL org.example.foo-="bar"
