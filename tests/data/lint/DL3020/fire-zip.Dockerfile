# lines: 3
FROM debian:12
ADD file.zip /usr/src/app/
