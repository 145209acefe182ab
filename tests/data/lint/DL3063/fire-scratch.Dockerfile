# lines: 2
FROM debian:buster AS scratch
