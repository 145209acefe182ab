# lines: 4
FROM debian:buster
RUN /foo.sh
RUN /bar.sh
