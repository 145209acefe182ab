FROM debian:buster
HEALTHCHECK CMD curl -f http://localhost/ || exit 1
