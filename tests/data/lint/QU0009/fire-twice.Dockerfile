# lines: 3
FROM debian:12
COPY <<EOF /a.txt <<EOF /b.txt
one
EOF
two
EOF
