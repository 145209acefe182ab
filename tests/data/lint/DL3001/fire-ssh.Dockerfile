# lines: 3
FROM debian:12
RUN apt-get update && ssh user@host echo hi
