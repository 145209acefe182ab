# lines: 6
FROM debian:buster
RUN /foo.sh
# a comment
# another
RUN /bar.sh
