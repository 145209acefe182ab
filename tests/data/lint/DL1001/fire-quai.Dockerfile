# lines: 3
FROM debian:12
# quai ignore=QU0004,DL3008
RUN true
