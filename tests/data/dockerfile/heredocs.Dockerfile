# syntax=docker/dockerfile:1.4
FROM debian:12 AS base
RUN <<EOF
set -e
apt-get update
EOF
RUN <<-EOT bash -ex
	echo "$HOME"
		indented
	EOT
RUN <<'A' cat - <<"B" > /out
$not_expanded
A
B body
B
COPY --chmod=755 <<EOF /usr/local/bin/hello
#!/bin/sh
echo hello
EOF
RUN python3 <<PY
print("FROM is not an instruction here")
PY
RUN 3<<EOF cat /dev/fd/3
three
EOF
ONBUILD RUN <<EOF
echo later
EOF
RUN ["sh", "-c", "cat <<EOF"]
RUN cat<<EOF
