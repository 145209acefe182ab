# lines: 4
FROM debian:buster AS base
HEALTHCHECK CMD true
FROM debian:buster
