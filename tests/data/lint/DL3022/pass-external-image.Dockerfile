FROM debian:12
COPY --from=haskell:latest bar .
COPY --from=nginx:1.25 /etc/nginx /etc/nginx
