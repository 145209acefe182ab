# lines: 3
FROM debian:12
ONBUILD ADD https://example.com/tool.tar.gz /opt/
