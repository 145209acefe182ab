FROM debian:12
ADD <<EOF /etc/motd
hello
EOF
