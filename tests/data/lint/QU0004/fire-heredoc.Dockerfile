# lines: 6
FROM debian:12
RUN <<EOF
set -e
apt-get update
apt-get -y upgrade
apt-get install -y --no-install-recommends curl
EOF
