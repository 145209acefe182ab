# lines: 3
FROM debian:12
RUN apt-get update && apt-get install -y --no-install-recommends python3 curl=7.88.1-10
