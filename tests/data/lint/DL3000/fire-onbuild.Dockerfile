# lines: 3
FROM debian:12
ONBUILD WORKDIR app
