FROM debian:buster AS builder
FROM scratch
COPY --from=builder / /
