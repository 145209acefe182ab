# lines: 5
FROM debian:buster
# hadolint ignore=DL3059
RUN /foo.sh
RUN /bar.sh
