# lines: 2
FROM debian:latest
