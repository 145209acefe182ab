FROM debian:buster
RUN /foo.sh
# hadolint ignore=DL3059
RUN /bar.sh
