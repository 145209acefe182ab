# lines: 2 3 4 5 6 7
LABEL io.docker.label="foo"
LABEL org.dockerproject.label="foo"
LABEL invalid$character="foo"
LABEL 1invalid="foo"
LABEL -invalid="foo"
LABEL invalid--character="foo"
FROM debian:buster
