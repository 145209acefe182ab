# lines: 3
FROM debian:12
COPY foo/bar/packaged-app.tar /foo.tar
RUN tar -xf /foo.tar
