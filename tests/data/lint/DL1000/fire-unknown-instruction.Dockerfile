# lines: 3
FROM debian:12
FRM debian
