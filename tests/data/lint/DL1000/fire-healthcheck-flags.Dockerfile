# lines: 3 4 5 6
FROM debian:12
HEALTHCHECK --interval=30 CMD true
HEALTHCHECK --timeout=10sec CMD true
HEALTHCHECK --retries=-2 CMD true
HEALTHCHECK --start-period=1us CMD true
