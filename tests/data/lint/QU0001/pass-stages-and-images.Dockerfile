FROM golang:1.22 AS builder
RUN go build -o /app .
FROM debian:12
COPY --from=builder /app /app
COPY --from=BUILDER /app /app2
COPY --from=0 /app /app3
COPY --from=nginx:latest /etc/nginx/nginx.conf /etc/nginx/
COPY --from=docker.io/library/builder /x /x
COPY --from=busybox /bin/busybox /bin/
COPY --from=${BASE} /x /y
RUN --mount=type=cache,target=/root/.cache --mount=from=builder,source=/app,target=/a true
