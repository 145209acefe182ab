FROM debian:buster
ONBUILD RUN /foo.sh
ONBUILD RUN /bar.sh
