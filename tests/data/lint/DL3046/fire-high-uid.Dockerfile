# lines: 3
FROM debian:buster
RUN useradd -u 123456 foobar
