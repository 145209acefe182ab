FROM debian:buster AS base1
WORKDIR /usr
FROM base1 AS base2
RUN foo
FROM base2
COPY foo bar
