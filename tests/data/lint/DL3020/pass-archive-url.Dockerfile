FROM debian:12
ADD rootfs.tar.xz /
ADD https://example.com/file.txt /tmp/
ADD "app.tgz" /opt/
