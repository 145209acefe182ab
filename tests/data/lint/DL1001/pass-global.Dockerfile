# hadolint global ignore=DL3008
FROM debian:12
# hadolint shell=powershell
# a comment that mentions hadolint ignore but is not a pragma
RUN true
