FROM debian:buster
RUN wget -o /tmp/log https://example.com/x
RUN wget --append-output=/tmp/log https://example.com/x
