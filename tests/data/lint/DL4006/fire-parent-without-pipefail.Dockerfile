# lines: 6
FROM debian:12 AS base
RUN true
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
FROM debian:12 AS other
RUN curl -fsSL https://example.com/key | gpg --dearmor -o /k.gpg
