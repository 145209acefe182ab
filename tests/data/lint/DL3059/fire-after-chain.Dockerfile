# lines: 5
FROM debian:buster
RUN foo && bar
RUN foo
RUN bar
