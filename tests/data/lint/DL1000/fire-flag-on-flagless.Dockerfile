# lines: 3 4
FROM debian:12
WORKDIR --parents /app
ENV --x=1 A=b
