# lines: 3
FROM debian:12
RUN <<ONE cat - <<TWO
one
ONE
two
TOW
