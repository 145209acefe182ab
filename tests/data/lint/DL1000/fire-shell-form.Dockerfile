# lines: 3
FROM debian:12
SHELL /bin/bash -c
