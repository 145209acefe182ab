# lines: 3 4 5 6
FROM debian:12
ENV
ENV JUSTNAME
ENV A=1 B
ENV =value
