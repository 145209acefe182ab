# lines: 3
FROM debian:buster
RUN wget -O /tmp/x https://example.com/x
