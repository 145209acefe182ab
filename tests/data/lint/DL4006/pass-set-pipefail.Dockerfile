FROM debian:12
RUN set -o pipefail && curl -fsSL https://example.com/key | gpg --dearmor -o /k.gpg
RUN set -euxo pipefail; curl -fsSL https://example.com/key | gpg --dearmor -o /k2.gpg
RUN <<EOF
set -eu -o pipefail
curl -fsSL https://example.com/install.sh | sh
EOF
