#!/usr/bin/env bash
# quai serve under load: webhooks per second with wrk (valid signed GitHub
# payloads, each one durable), 200 SSE followers of a running job, idle and
# loaded RSS, webhook-to-job-start latency against gitlab-ci-local, and
# Woodpecker's published idle memory. See bench/README.md.
#
#   bench/serve.sh                 30 s of wrk, 200 followers
#   bench/serve.sh -d 10 --followers 50
#
# Uses a release build in ${QUAI_BENCH_BUILD:-build-bench} (made when
# missing); needs wrk (apt-get install wrk) and, for the gitlab-ci-local
# figure, npm (gitlab-ci-local is installed into ${QUAI_BENCH_NPM:-/tmp/quai-bench-npm}).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${QUAI_BENCH_BUILD:-build-bench}
command -v wrk >/dev/null || { echo "bench: needs wrk: apt-get install wrk" >&2; exit 2; }
[ -f "$build/build.ninja" ] || meson setup "$build" --buildtype=release >/dev/null
ninja -C "$build" src/cli/quai src/cli/quai-engine src/cli/quai-repo >/dev/null
exec python3 bench/serve.py --quai "$top/$build/src/cli/quai" "$@"
