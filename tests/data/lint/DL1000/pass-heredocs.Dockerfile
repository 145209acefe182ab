# syntax=docker/dockerfile:1.4
FROM debian:12
RUN <<EOF
set -e
apt-get update
EOF
RUN <<-EOT bash
	echo "$HOME"
	EOT
RUN <<'A' cat - <<"B" > /out
$not_expanded
A
B-body
B
COPY --chmod=755 <<EOF /usr/local/bin/hello
#!/bin/sh
echo hello
EOF
RUN python3 <<PY
print('FROM this is not an instruction')
PY
ADD <<one <<two /dir/
1
one
2
two
RUN ["sh", "-c", "cat <<EOF"]
