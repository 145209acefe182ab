# lines: 3
FROM debian:bullseye
USER foobar
