# lines: 3 4
FROM debian:12
ADD https://example.com/tool.tar.gz /opt/
ADD --chown=app http://example.com/file.txt /srv/file.txt
