# lines: 3 4
FROM debian:bullseye
ENV AWS_ACCESS_KEY_ID=abcdefghijklmnopqrstuvwxyz
ENV my_password=abc
