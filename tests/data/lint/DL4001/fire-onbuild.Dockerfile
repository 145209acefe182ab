# lines: 5
FROM debian:12 AS one
ONBUILD RUN curl -fsSLO https://example.com/a
FROM debian:12
ONBUILD RUN wget https://example.com/b
RUN curl -fsSLO https://example.com/c
