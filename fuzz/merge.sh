#!/usr/bin/env bash
# Folds what a long run found (fuzz/work/TARGET/) into the checked-in corpus:
# the seeds stay, and libFuzzer adds a small set of inputs (greedy set cover,
# -set_cover_merge=1) that reach every edge the run reached; edges only, not
# hit counts (-use_counters=0), which keeps the corpus to a few hundred files.
#
# usage: fuzz/merge.sh [TARGET...]   (default: every folder of fuzz/corpus/)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${QUAI_FUZZ_BUILD:-build-fuzz}
work=${QUAI_FUZZ_WORK:-fuzz/work}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(ls fuzz/corpus)
for t in "${targets[@]}"; do
  [ -d "$work/$t" ] || { echo "no $work/$t: run fuzz/run.sh $t first"; continue; }
  fresh=$(mktemp -d)
  cp fuzz/corpus/"$t"/* "$fresh"/
  before=$(ls "$fresh" | wc -l)
  "$build/fuzz/fuzz_$t" -set_cover_merge=1 -use_counters=0 -max_len=65536 -timeout=5 "$fresh" "$work/$t" >"$work/$t.merge.log" 2>&1
  rm -rf "fuzz/corpus/$t"
  mv "$fresh" "fuzz/corpus/$t"
  chmod 755 "fuzz/corpus/$t"
  echo "fuzz/corpus/$t: $before -> $(ls "fuzz/corpus/$t" | wc -l) inputs"
done
