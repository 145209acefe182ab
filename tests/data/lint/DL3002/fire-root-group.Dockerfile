# lines: 3
FROM debian:12
USER root:root
