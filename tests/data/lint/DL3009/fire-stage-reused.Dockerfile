# lines: 3
FROM ubuntu:22.04 AS foo
RUN apt-get update && apt-get install -y python3
FROM foo
RUN true
