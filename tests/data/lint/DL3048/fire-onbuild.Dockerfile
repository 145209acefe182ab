# lines: 3
FROM debian:buster
ONBUILD LABEL com.docker.label="foo"
