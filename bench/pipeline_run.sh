#!/usr/bin/env bash
# Runs a trivial two-stage pipeline (build: echo, test: echo) with quai
# pipeline run and gitlab-ci-local 4.73.0 (npm, bench/node_modules) side by
# side, once on the shell executor (jobs without image) and once on the
# docker executor (the test environment's busybox image), and prints wall
# time, peak RSS, and each tool's overhead: its wall time minus the time
# the two job scripts take when run directly with sh. Targets (issue 6):
# quai's overhead at most 1/10 of gitlab-ci-local's, quai under 11 MB RSS.
# Never part of the test suite. The docker executor bind-mounts each job's
# directory when it can (local engine, root); QUAI_DOCKER_COPY=archive in the
# environment measures the archive copy instead.
#
# usage: [QUAI_BIN=path/to/quai] bench/pipeline_run.sh [-n RUNS]
#   the docker case needs DOCKER_HOST and QUAI_TEST_BUSYBOX_IMAGE (scripts/testenv.sh env)
set -euo pipefail

cd "$(dirname "$0")/.."
top=$(pwd)
runs=5
while getopts n: opt; do
  case $opt in
    n) runs=$OPTARG ;;
    *) sed -n '13p' "$0" >&2; exit 2 ;;
  esac
done
quai=${QUAI_BIN:-build/quai}
[ -n "${QUAI_BIN:-}" ] || [ -x build/quai ] || scripts/build.sh >/dev/null
[ -x bench/node_modules/.bin/gitlab-ci-local ] || npm ci --prefix bench --no-audit --no-fund >/dev/null
glcl=$top/bench/node_modules/.bin/gitlab-ci-local

scratch=$(mktemp -d "$top/bench/.pipeline-run-XXXXXX")  # gitlab-ci-local wants a relative --cwd
trap 'rm -rf "$scratch"' EXIT
make_project() { # name image
  local dir=$scratch/$1
  mkdir -p "$dir"
  {
    echo "stages: [build, test]"
    [ -z "$2" ] || echo "default: {image: $2}"
    echo "build: {stage: build, script: [echo built]}"
    echo "test: {stage: test, script: [echo tested]}"
  } > "$dir/.gitlab-ci.yml"
  git -C "$dir" init -q -b main
  git -C "$dir" remote add origin https://gitlab.example.com/group/project.git
  git -C "$dir" add .gitlab-ci.yml
  git -C "$dir" -c user.email=bench@quai -c user.name=bench commit -qm bench
  echo "$dir"
}
printf 'echo built\necho tested\n' > "$scratch/direct.sh"
direct="sh=sh $scratch/direct.sh"
shell_dir=$(make_project shell "")
cases=(--case shell -- "quai=$quai pipeline run $shell_dir"
       "gitlab-ci-local=$glcl --cwd $(realpath --relative-to="$top" "$shell_dir")" "$direct")
if [ -n "${DOCKER_HOST:-}" ] && [ -n "${QUAI_TEST_BUSYBOX_IMAGE:-}" ]; then
  # gitlab-ci-local copies files with its util image from Docker Hub; without
  # network access, the busybox image stands in for it (cp, sh, chown)
  docker=${QUAI_TEST_DOCKER_CLI:-docker}
  util=docker.io/firecow/gitlab-ci-local-util:latest
  "$docker" image inspect "$util" >/dev/null 2>&1 || "$docker" pull -q "$util" >/dev/null 2>&1 ||
    "$docker" tag "$QUAI_TEST_BUSYBOX_IMAGE" "$util"
  docker_dir=$(make_project docker "$QUAI_TEST_BUSYBOX_IMAGE")
  cases+=(--case docker -- "quai=$quai pipeline run $docker_dir"
          "gitlab-ci-local=$glcl --cwd $(realpath --relative-to="$top" "$docker_dir")" "$direct")
else
  echo "bench: no DOCKER_HOST/QUAI_TEST_BUSYBOX_IMAGE: the docker case is left out" >&2
fi

# the same outcome, or the comparison means nothing
for dir in "$shell_dir" ${docker_dir:+"$docker_dir"}; do
  "$quai" pipeline run "$dir" >/dev/null || echo "bench: quai failed on $(basename "$dir")" >&2
  "$glcl" --cwd "$(realpath --relative-to="$top" "$dir")" >/dev/null 2>&1 ||
    echo "bench: gitlab-ci-local failed on $(basename "$dir")" >&2
done

echo "quai $("$quai" --version | sed 's/^quai //'), gitlab-ci-local $(node -p 'require("./bench/node_modules/gitlab-ci-local/package.json").version'), node $(node --version)"
echo "$(nproc) CPUs, $(uname -sr)"
mkdir -p bench/results
json=bench/results/pipeline-run-$(date -u +%Y%m%dT%H%M%SZ).json
python3 bench/measure.py --runs "$runs" --json "$json" "${cases[@]}"

python3 - "$json" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
print("\noverhead = wall - the scripts run directly (sh)")
print("targets (issue 6)")
for case in res:
    rows = {r["tool"]: r for r in case["rows"]}
    q, g, sh = rows["quai"], rows["gitlab-ci-local"], rows["sh"]
    qo, go = max(q["wall"] - sh["wall"], 1e-6), max(g["wall"] - sh["wall"], 1e-6)
    ok = qo * 10 <= go
    print(f"  {'met ' if ok else 'MISS'}  {case['case']}: overhead quai {qo * 1000:.0f} ms, "
          f"gitlab-ci-local {go * 1000:.0f} ms: 1/{go / qo:.1f} (target <= 1/10)")
    rss = q["rss_kb"] / 1024
    print(f"  {'met ' if rss < 11 else 'MISS'}  {case['case']}: quai peak RSS {rss:.1f} MB "
          f"(gitlab-ci-local {g['rss_kb'] / 1024:.0f} MB; target < 11 MB)")
print(f"\nraw numbers: {sys.argv[1]}")
PY
