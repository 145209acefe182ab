# lines: 3
FROM debian:12
WORKDIR usr/src/app
