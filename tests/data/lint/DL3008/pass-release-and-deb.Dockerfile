FROM debian:12
RUN apt-get install -y -t bookworm-backports foo/bookworm-backports ./local.deb
