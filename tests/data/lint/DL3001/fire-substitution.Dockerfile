# lines: 3
FROM debian:12
RUN echo "$(ps aux)" > /tmp/ps.txt
