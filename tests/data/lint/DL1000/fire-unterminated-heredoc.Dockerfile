# lines: 3
FROM debian:12
RUN <<EOF bash
apt-get update
EOF 
