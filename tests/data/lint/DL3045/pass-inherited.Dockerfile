FROM debian:buster AS base
WORKDIR /usr
FROM debian:buster AS stage-inbetween
RUN foo
FROM base
COPY foo bar
