#!/usr/bin/env bash
# quai run's scheduler: 4 independent images built one by one (--jobs 1)
# against 2 and 4 at once, on this machine's cores. Bar: --jobs 2 under 0.7x
# the time of --jobs 1.
#
#   bench/run.sh                 3 repetitions, the median is reported
#   bench/run.sh -n 5 -w cpu
#
# What one RUN step of each image does (-w), after the fixed costs of a
# build (context upload, a container per RUN, the layer commit); then quai
# tests the image (one file check):
#   mixed (default)  what a real build does: waits 1 s as for a download
#                    (apt-get, npm, go mod), then about 0.25 s of CPU
#                    (unpacking, compiling: busybox sha256sum over 12 MB)
#   cpu              about 1 s of CPU only (sha256sum over 48 MB): on 2
#                    cores shared with other work this shows the machine's
#                    load more than the scheduler
#   wait             the 1 s wait only
# Every repetition changes a nonce in the Dockerfiles, so nothing comes from
# the build cache. Nothing is pushed (--no-push): the registry is not what
# is measured.
#
# Starts (and at the end stops) the environment of scripts/testenv.sh with
# its own state directory, ${QUAI_TESTENV_DIR:-/tmp/quai-bench-run}, unless
# DOCKER_HOST and QUAI_TEST_BUSYBOX_IMAGE name one already running.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export QUAI_TESTENV_DIR=${QUAI_TESTENV_DIR:-/tmp/quai-bench-run}
reps=3
work=mixed
while [ $# -gt 0 ]; do
	case $1 in
	-n) reps=$2; shift 2 ;;
	-w) work=$2; shift 2 ;;
	*) echo "usage: bench/run.sh [-n REPS] [-w mixed|cpu|wait]" >&2; exit 2 ;;
	esac
done
case $work in
mixed) step='sleep 1 && head -c 12582912 /dev/zero | sha256sum >/hash' ;;
cpu) step='head -c 50331648 /dev/zero | sha256sum >/hash' ;;
wait) step='sleep 1 && echo >/hash' ;;
*) echo "bench: -w mixed, cpu or wait" >&2; exit 2 ;;
esac
quai=${QUAI:-$top/build/quai}
preexisting=0
[ -e "$QUAI_TESTENV_DIR" ] && preexisting=1
given=0
[ -n "${DOCKER_HOST:-}" ] && [ -n "${QUAI_TEST_BUSYBOX_IMAGE:-}" ] && given=1
if [ -z "${QUAI:-}" ] && { [ ! -x build/quai ] || [ ! -x build/src/cli/quai-repo ]; }; then scripts/build.sh; fi

repo=$(mktemp -d /tmp/quai-bench-run-repo.XXXXXX)
cleanup() {
	local rc=$?
	rm -rf "$repo"
	if [ "$given" = 1 ]; then
		:
	elif [ "$preexisting" = 1 ]; then
		scripts/testenv.sh stop || true
	else
		scripts/testenv.sh stop --purge || true
		rm -rf "$QUAI_TESTENV_DIR"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ "$given" = 0 ]; then
	scripts/testenv.sh start >&2
	eval "$(scripts/testenv.sh env)"
fi

g() { git -C "$repo" -c user.name=bench -c user.email=bench@localhost "$@" >/dev/null; }
g init -q -b main
for i in 1 2 3 4; do
	mkdir -p "$repo/img$i"
	cat >"$repo/img$i/tests.yml" <<EOF
schemaVersion: "2.0.0"
fileExistenceTests:
  - {name: hash, path: /hash, shouldExist: true}
EOF
done

# one repetition at JOBS: prints the wall time in seconds
measure() {
	local jobs=$1 nonce
	nonce=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
	for i in 1 2 3 4; do
		cat >"$repo/img$i/Dockerfile" <<EOF
FROM $QUAI_TEST_BUSYBOX_IMAGE
RUN echo $nonce-$i >/nonce && $step
USER 10001
EOF
	done
	g add -A
	g commit -q -m "$nonce"
	local t0 t1
	t0=$(date +%s.%N)
	"$quai" run --all --no-push --jobs "$jobs" "$repo" >"$repo/.out" 2>&1 || {
		cat "$repo/.out" >&2
		echo "bench: quai run --jobs $jobs failed" >&2
		exit 1
	}
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}

median() { sort -g | awk '{ v[NR] = $1 } END { printf "%.2f", v[int((NR + 1) / 2)] }'; }

measure 1 >/dev/null # warm-up: the engine's first container start is slow
declare -A t
for jobs in 1 2 4; do
	t[$jobs]=$(for _ in $(seq "$reps"); do measure "$jobs"; done | median)
done
cores=$(nproc)
printf '\n4 independent images, build + test, RUN work: %s, %s cores, median of %s runs\n' "$work" "$cores" "$reps"
printf '%-24s %8s %8s\n' "quai run" "seconds" "ratio"
for jobs in 1 2 4; do
	printf '%-24s %8s %8.2f\n' "--jobs $jobs" "${t[$jobs]}" "$(echo "${t[$jobs]} / ${t[1]}" | bc -l)"
done
ratio=$(echo "${t[2]} / ${t[1]}" | bc -l)
if [ "$(echo "$ratio < 0.7" | bc -l)" = 1 ]; then
	printf 'bar: --jobs 2 / --jobs 1 = %.3f < 0.70: met\n' "$ratio"
else
	printf 'bar: --jobs 2 / --jobs 1 = %.3f, not under 0.70: missed\n' "$ratio"
fi
