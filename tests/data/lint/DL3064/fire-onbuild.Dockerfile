# lines: 3
FROM debian:bullseye
ONBUILD ARG GITHUB_TOKEN
