# lines: 3
FROM debian:12
RUN <<EOF
curl -fsSL https://example.com/install.sh | sh
EOF
