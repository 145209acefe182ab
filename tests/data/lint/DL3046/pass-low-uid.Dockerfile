FROM debian:buster
RUN useradd -u 12345 foobar
RUN useradd foobar
