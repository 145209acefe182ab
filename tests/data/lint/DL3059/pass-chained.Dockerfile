FROM debian:buster
RUN foo && bar
RUN foobar
RUN foo; bar
