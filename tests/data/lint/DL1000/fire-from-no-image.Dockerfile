# lines: 2
FROM
FROM debian:12
