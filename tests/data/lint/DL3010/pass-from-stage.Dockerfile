FROM debian:12 AS builder
RUN true
FROM debian:12
COPY --from=builder /usr/local/share/some.tar /opt/some.tar
RUN tar -xf /opt/some.tar
