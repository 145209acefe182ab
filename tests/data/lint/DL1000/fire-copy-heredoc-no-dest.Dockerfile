# lines: 3
FROM debian:12
COPY <<EOF
hello
EOF
