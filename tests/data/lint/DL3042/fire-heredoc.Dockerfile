# lines: 3
FROM python:3.12
RUN <<EOF
set -e
pip install six
EOF
