# lines: 2
FROM debian
RUN true
