# lines: 3
FROM debian:buster
LABEL license="MIT OR Apache-2.0"
