FROM debian:12
ONBUILD RUN curl -fsSLO https://example.com/a
RUN wget https://example.com/b
