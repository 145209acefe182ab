FROM debian:12 AS build
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update
ENV DEBIAN_FRONTEND=dialog
ENV PATH=/opt/a/bin:$PATH
ENV PATH=/opt/b/bin:$PATH
ENV DIR=/srv
WORKDIR $DIR
ENV DIR=/data
LABEL version=1
FROM debian:12
ENV MODE=dev
LABEL version=2
