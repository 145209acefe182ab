FROM debian:buster
RUN useradd -l -u 123456 foobar
RUN useradd --no-log-init -u 123456 foobar
