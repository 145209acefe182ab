# lines: 2 4 6
FRM debian:12
FROM debian:12
COPY onlyone
RUN echo ok
HEALTHCHECK --interval=5 CMD true
RUN echo still parsed
