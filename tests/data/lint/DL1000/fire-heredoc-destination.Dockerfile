# lines: 3
FROM debian:12
COPY app.conf <<EOF
body
EOF
