FROM debian:13
RUN apt-get update && apt-get install -y --no-install-recommends curl=8.14.1-2 && apt-get dist-clean
