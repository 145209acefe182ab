FROM debian:12
RUN <<EOF
cat <<CONF > /etc/app.conf
key=value
CONF
EOF
COPY <<ONE /a.txt <<TWO /b.txt
one
ONE
two
TWO
RUN <<EOF
echo EOF
echo <<EOFX
EOF
