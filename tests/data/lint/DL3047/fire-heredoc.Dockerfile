# lines: 3
FROM debian:buster
RUN <<EOF bash
set -ex
wget https://example.com/x
EOF
