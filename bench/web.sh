#!/usr/bin/env bash
# The web UI of quai serve against issue 8's bars (see bench/web.py).
#   bench/web.sh [--log-mb 100] [--followers 200]
# Uses a release build in ${QUAI_BENCH_BUILD:-build-bench} (made when missing).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${QUAI_BENCH_BUILD:-build-bench}
[ -f "$build/build.ninja" ] || meson setup "$build" --buildtype=release >/dev/null
ninja -C "$build" -j2 src/cli/quai src/cli/quai-engine >/dev/null
exec python3 bench/web.py --quai "$top/$build/src/cli/quai" "$@"
