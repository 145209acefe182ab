#!/usr/bin/env bash
# The fuzzing smoke scripts/test.sh runs: builds the libFuzzer targets with
# clang and runs each for 4 seconds (under a minute in all, 13 targets) from its
# checked-in corpus, in a scratch directory. Exits non-zero on any crash,
# leak or timeout; reproducers land in fuzz/crashes/TARGET/.
set -uo pipefail
cd "$(dirname "$0")/.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
QUAI_FUZZ_WORK=$scratch fuzz/run.sh -t "${QUAI_FUZZ_SECONDS:-4}" -j 1 dockerfile shell lint_config dockerignore \
  imagetest_spec plan_config compose cron webhook server_config web_log pipeline pipeline_expr pipeline_run
status=$?
[ $status -eq 0 ] || for log in "$scratch"/*.log; do echo "== $log"; tail -n 40 "$log"; done
exit $status
