# lines: 3 4
FROM debian:12
RUN apt-get install -q python3=3.11.2-1
RUN apt-get install --quiet python3=3.11.2-1
