# lines: 3
FROM debian:12
ADD requirements.txt /usr/src/app/
