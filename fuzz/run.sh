#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (in build-fuzz/) and runs them.
#
# usage: fuzz/run.sh [-t SECONDS] [-j JOBS] [TARGET...]
#   -t SECONDS  how long to run each target (default 1800: the 30-minute run)
#   -j JOBS     how many targets run at once (default 1)
#   TARGET      a folder name of fuzz/corpus/: dockerfile, shell, ... (default: all)
#
# Each target starts from its checked-in corpus fuzz/corpus/TARGET/ and keeps
# what it finds in fuzz/work/TARGET/ (QUAI_FUZZ_WORK overrides fuzz/work).
# A crash, leak or timeout is written to fuzz/crashes/TARGET/ (crash-*,
# leak-*, timeout-*) and makes the script exit 1. The libFuzzer log of each
# target is fuzz/work/TARGET.log.
set -uo pipefail

cd "$(dirname "$0")/.."
secs=1800
jobs=1
while getopts t:j: opt; do
  case $opt in
    t) secs=$OPTARG ;;
    j) jobs=$OPTARG ;;
    *) sed -n '4,8p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(ls fuzz/corpus)

build=${QUAI_FUZZ_BUILD:-build-fuzz}
work=${QUAI_FUZZ_WORK:-fuzz/work}

if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" -Dfuzzers=true --buildtype=debugoptimized >/dev/null || exit 2
fi
ninja -C "$build" "${targets[@]/#/fuzz/fuzz_}" >/dev/null || { ninja -C "$build" "${targets[@]/#/fuzz/fuzz_}"; exit 2; }

run_one() {
  local t=$1
  mkdir -p "$work/$t" "fuzz/crashes/$t"
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
  "$build/fuzz/fuzz_$t" -max_total_time="$secs" -max_len=65536 -timeout=5 -rss_limit_mb=2048 \
    -dict="fuzz/$t.dict" -artifact_prefix="fuzz/crashes/$t/" -print_final_stats=1 \
    "$work/$t" "fuzz/corpus/$t" >"$work/$t.log" 2>&1
  local rc=$?
  local execs
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log" | tail -n 1)
  if [ $rc -eq 0 ]; then
    echo "fuzz_$t: ok, ${execs:-?} runs in ${secs}s"
  else
    echo "fuzz_$t: FAILED (exit $rc), see $work/$t.log and fuzz/crashes/$t/"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$work/$t.log" | head -n 5
  fi
  return $rc
}

status=0
pids=()
for t in "${targets[@]}"; do
  if [ ! -d "fuzz/corpus/$t" ]; then echo "unknown target '$t'" >&2; exit 2; fi
  run_one "$t" &
  pids+=($!)
  if [ ${#pids[@]} -ge "$jobs" ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
