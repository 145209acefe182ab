# lines: 3
FROM debian:12
RUN service nginx start
