#!/usr/bin/env bash
# Installs the build dependencies and builds quai (release) into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build
[ -f build/build.ninja ] || meson setup build --buildtype=release >/dev/null
ninja -C build >/dev/null
ln -sf src/cli/quai build/quai
echo "built build/quai"
