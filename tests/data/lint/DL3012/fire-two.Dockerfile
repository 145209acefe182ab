# lines: 4
FROM debian:12
HEALTHCHECK CMD /bin/check
HEALTHCHECK CMD /bin/check2
