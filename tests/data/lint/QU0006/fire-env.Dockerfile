# lines: 4 6
FROM debian:12
ENV MODE=dev
ENV MODE=prod
LABEL org.opencontainers.image.title=one
LABEL org.opencontainers.image.title=two
