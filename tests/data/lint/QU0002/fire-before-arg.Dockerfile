# lines: 3
FROM debian:12
RUN curl -o /tmp/x https://example.com/v$VERSION/x.tgz
ARG VERSION=1.2.3
