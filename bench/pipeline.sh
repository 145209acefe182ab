#!/usr/bin/env bash
# Measures `quai pipeline list` against `gitlab-ci-local --list` (npm
# gitlab-ci-local 4.73.0, in bench/node_modules) on the same pipelines: a
# few of GitLab's templates from the corpus and two of quai's conformance
# cases, each committed alone as .gitlab-ci.yml in a scratch git
# repository. Shows first where the two list different jobs, then prints wall
# time (median), peak RSS and the ratios, then the issue's target (quai at
# most 1/50 of gitlab-ci-local's time). Never part of the test suite.
#
# usage: [QUAI_BIN=path/to/quai] bench/pipeline.sh [-n RUNS]
set -euo pipefail

cd "$(dirname "$0")/.."
top=$(pwd)
runs=5
while getopts n: opt; do
  case $opt in
    n) runs=$OPTARG ;;
    *) sed -n '10p' "$0" >&2; exit 2 ;;
  esac
done
corpus=${QUAI_CORPUS:-$top/../shared/corpus}/gitlab-ci
[ -d "$corpus" ] || { echo "bench: no corpus at '$corpus'" >&2; exit 2; }

# QUAI_BIN: another quai binary (a release build), else build/quai
quai=${QUAI_BIN:-build/quai}
[ -n "${QUAI_BIN:-}" ] || [ -x build/quai ] || scripts/build.sh >/dev/null
[ -x bench/node_modules/.bin/gitlab-ci-local ] || npm ci --prefix bench --no-audit --no-fund >/dev/null
glcl=$top/bench/node_modules/.bin/gitlab-ci-local

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
pipelines=("$corpus/Getting-Started.gitlab-ci.yml" "$corpus/Python.gitlab-ci.yml" "$corpus/Docker.gitlab-ci.yml"
           "$top/tests/data/pipeline/needs-dag.yml" "$top/tests/data/pipeline/extends-multilevel.yml")
cases=()
for f in "${pipelines[@]}"; do
  name=$(basename "$f" .yml)
  dir=$scratch/$name
  mkdir -p "$dir"
  cp "$f" "$dir/.gitlab-ci.yml"
  git -C "$dir" init -q -b main
  git -C "$dir" remote add origin https://gitlab.example.com/group/project.git
  git -C "$dir" add .gitlab-ci.yml
  git -C "$dir" -c user.email=bench@quai -c user.name=bench commit -qm bench
  # the same jobs, or the comparison means nothing
  ours=$("$quai" pipeline list -C "$dir" --format dump | awk '/^job /{j=substr($0,5)} /^  created: yes/{print j}' | sort)
  rel=$(realpath --relative-to="$top" "$dir")  # gitlab-ci-local wants a relative --cwd
  theirs=$("$glcl" --cwd "$rel" --list-csv 2>/dev/null | tail -n +2 | cut -d';' -f1 | sort)
  if [ "$ours" != "$theirs" ]; then
    # gitlab-ci-local 4.73 lists jobs whose only:/except: refs exclude them
    # (Docker's build-master on main); GitLab does not create those
    echo "bench: $name: the tools list different jobs (< quai, > gitlab-ci-local)" >&2
    diff <(echo "$ours") <(echo "$theirs") >&2 || true
  fi
  cases+=(--case "$name" -- "quai=$quai pipeline list -C $dir" "gitlab-ci-local=$glcl --cwd $rel --list")
done

echo "quai $("$quai" --version | sed 's/^quai //'), gitlab-ci-local $(node -p 'require("./bench/node_modules/gitlab-ci-local/package.json").version'), node $(node --version)"
echo "$(nproc) CPUs, $(uname -sr)"
mkdir -p bench/results
json=bench/results/pipeline-$(date -u +%Y%m%dT%H%M%SZ).json
python3 bench/measure.py --runs "$runs" --json "$json" "${cases[@]}"

python3 - "$json" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
print("\ntargets (issue 6)")
for case in res:
    rows = {r["tool"]: r for r in case["rows"]}
    q, g = rows["quai"], rows["gitlab-ci-local"]
    ok = q["wall"] * 50 <= g["wall"]
    print(f"  {'met ' if ok else 'MISS'}  {case['case']}: quai --list <= 1/50 of gitlab-ci-local: 1/{g['wall'] / q['wall']:.0f}")
print(f"\nraw numbers: {sys.argv[1]}")
PY
