#!/usr/bin/env bash
# quai's build + test + push of the example image against the same steps done
# with the docker CLI, in one run: wall time ratio, quai-engine's peak RSS and
# the latency of build output. See bench/README.md.
#
#   bench/build.sh            5 repetitions
#   bench/build.sh -n 10
#
# Starts (and at the end stops) the environment of scripts/testenv.sh with its
# own state directory, ${QUAI_TESTENV_DIR:-/tmp/quai-bench-build}.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export QUAI_TESTENV_DIR=${QUAI_TESTENV_DIR:-/tmp/quai-bench-build}
preexisting=0
[ -e "$QUAI_TESTENV_DIR" ] && preexisting=1

if [ ! -x build/quai ] || [ ! -x build/src/cli/quai-engine ]; then scripts/build.sh; fi
[ -x /usr/bin/time ] || { echo "bench: needs GNU time: apt-get install time" >&2; exit 2; }

cleanup() {
	local rc=$?
	rm -f examples/dockers/x3-base/busybox
	if [ "$preexisting" = 1 ]; then
		scripts/testenv.sh stop || true
	else
		scripts/testenv.sh stop --purge || true
		rm -rf "$QUAI_TESTENV_DIR"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
scripts/testenv.sh start
eval "$(scripts/testenv.sh env)"
bb=/bin/busybox
[ -x "$bb" ] || bb=/usr/bin/busybox
cp "$bb" examples/dockers/x3-base/busybox
python3 bench/build.py --quai "$top/build/quai" "$@"
