# lines: 3
FROM debian:12
ONBUILD COPY app.tgz /opt/
ONBUILD RUN tar -xzf /opt/app.tgz -C /opt
