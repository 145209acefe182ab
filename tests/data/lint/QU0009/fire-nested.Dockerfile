# lines: 4
FROM debian:12
RUN <<EOF
cat <<EOF > /etc/app.conf
key=value
EOF
