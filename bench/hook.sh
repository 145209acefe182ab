#!/usr/bin/env bash
# Measures `quai hook pre-receive` on a push of 1,000 commits touching 200
# files (100 Dockerfiles, 100 compose files; history made with git
# fast-import), side by side with the hook people write by hand (seed 002:
# `git diff --name-only` then `git show` each file to a temporary file and
# lint it, one linter process per file, here `quai lint` itself so that only
# the way of working differs), and with git alone (the same push without a
# hook). Prints wall times (median) and the ratios, then the issue's target:
# the push checked in under 1 s. Never part of the test suite.
#
# usage: bench/hook.sh [-n RUNS] [-c COMMITS] [-f FILES]
#   RUNS     repetitions per command (default 5)
#   COMMITS  commits in the push (default 1000)
#   FILES    files they touch, half Dockerfiles, half compose files (default 200)
set -euo pipefail

cd "$(dirname "$0")/.."
top=$(pwd)
runs=5 commits=1000 files=200
while getopts n:c:f: opt; do
  case $opt in
    n) runs=$OPTARG ;;
    c) commits=$OPTARG ;;
    f) files=$OPTARG ;;
    *) sed -n '11,14p' "$0" >&2; exit 2 ;;
  esac
done

# a release build of its own, whatever build/ is configured as
bdir=${QUAI_BENCH_BUILD:-build-bench}
[ -f "$bdir/build.ninja" ] || meson setup "$bdir" --buildtype=release >/dev/null
if ! out=$(ninja -C "$bdir" 2>&1); then
  printf '%s\n' "$out" | grep -E 'error|FAILED' | head -20 >&2
  echo "bench: the release build in $bdir failed" >&2
  exit 2
fi
quai=$top/$bdir/src/cli/quai
engine=$top/$bdir/src/cli/quai-repo

work=$(mktemp -d "${TMPDIR:-/tmp}/quai-bench-hook.XXXXXX")
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_NOSYSTEM=1 HOME=$work GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@example.org \
  GIT_COMMITTER_NAME=b GIT_COMMITTER_EMAIL=b@example.org

# ---- the history: commit i changes file i % FILES ----
python3 - "$commits" "$files" >"$work/stream" <<'PY'
import sys
commits, files = int(sys.argv[1]), int(sys.argv[2])
def path(k):
    return f"svc{k:03d}/Dockerfile" if k % 2 == 0 else f"svc{k:03d}/compose.yaml"
def content(k, v):
    if k % 2 == 0:
        return (f"FROM debian:12.{v % 10}\nRUN apt-get update && apt-get install -y --no-install-recommends "
                f"curl={v}.0 && rm -rf /var/lib/apt/lists/*\nUSER 65534\nCMD [\"curl\", \"--version\"]\n")
    return (f"services:\n  app{k}:\n    image: registry.example.org/app{k}:1.{v}\n    restart: unless-stopped\n"
            f"    environment:\n      DB_PASSWORD: ${{DB_PASSWORD}}\n    ports:\n      - \"{8000 + k}:80\"\n")
out = sys.stdout.buffer
t = 1700000000
for i in range(commits):
    k = i % files
    data = content(k, i).encode()
    msg = f"commit {i}\n".encode()
    out.write(b"commit refs/heads/main\n")
    out.write(f"committer b <b@example.org> {t + i} +0000\n".encode())
    out.write(b"data %d\n%s" % (len(msg), msg))
    out.write(f"M 100644 inline {path(k)}\n".encode())
    out.write(b"data %d\n%s\n" % (len(data), data))
PY
git init -q -b main "$work/src"
git -C "$work/src" fast-import --quiet <"$work/stream"
new=$(git -C "$work/src" rev-parse main)
zero=0000000000000000000000000000000000000000

# the pushed objects in a bare repository, reachable from no ref: what the
# hook sees during a push, without the push
git init -q --bare -b main "$work/objs.git"
git -C "$work/objs.git" fetch -q "$work/src" main:refs/bench/tmp
git -C "$work/objs.git" update-ref -d refs/bench/tmp
printf '%s %s refs/heads/main\n' "$zero" "$new" >"$work/stdin"

# the hand-written hook (one process per file, a checkout of each file)
cat >"$work/shell-hook" <<EOF
#!/bin/sh
# pre-receive as written by hand: changed files, git show, lint each
status=0
tmp=\$(mktemp -d)
while read old new ref; do
  [ "\$new" = $zero ] && continue
  if [ "\$old" = $zero ]; then range=\$new; else range=\$old..\$new; fi
  for f in \$(git log --format= --name-only \$range | sort -u | grep -E '(^|/)(Dockerfile|compose\\.yaml)\$'); do
    mkdir -p "\$tmp/\$(dirname "\$f")"
    git show "\$new:\$f" >"\$tmp/\$f" 2>/dev/null || continue
    (cd "\$tmp" && '$quai' lint -t error "\$f") || status=1
  done
done
rm -rf "\$tmp"
exit \$status
EOF
chmod +x "$work/shell-hook"

timeit() { # LABEL STDIN_FILE CMD... ; median wall time of RUNS runs
  python3 - "$runs" "$@" <<'PY'
import statistics, subprocess, sys, time
runs, label, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
stdin = open(argv.pop(0))
times = []
for i in range(runs + 1):
    stdin.seek(0)
    t = time.perf_counter()
    r = subprocess.run(argv, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if i:
        times.append(time.perf_counter() - t)
    if r.returncode not in (0, 1):
        print(f"{label}: exit {r.returncode}", file=sys.stderr)
print(f"{label}\t{statistics.median(times):.4f}")
PY
}

pushcase() { # LABEL HOOK|none ; median wall time of a full `git push` into a fresh bare repo
  local label=$1 hook=$2 t all=()
  for i in $(seq 0 "$runs"); do
    rm -rf "$work/srv.git"
    git init -q --bare -b main "$work/srv.git"
    [ "$hook" = none ] || ln -s "$hook" "$work/srv.git/hooks/pre-receive"
    t=$(python3 -c 'import subprocess,sys,time; t=time.perf_counter(); subprocess.run(sys.argv[1:], check=True, capture_output=True); print(time.perf_counter()-t)' \
      git -C "$work/src" push -q "$work/srv.git" main)
    [ "$i" -eq 0 ] || all+=("$t")
  done
  printf '%s\t%s\n' "$label" "$(printf '%s\n' "${all[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.4f", a[int((NR+1)/2)]}')"
}

cat >"$work/quai-hook" <<EOF
#!/bin/sh
exec '$engine' hook pre-receive
EOF
chmod +x "$work/quai-hook"

echo "quai $("$quai" --version | sed 's/^quai //'), $(git --version), $(nproc) CPUs, $(uname -sr)"
echo "push: $commits commits touching $files files ($((files / 2)) Dockerfiles, $((files - files / 2)) compose files)"
{
  (cd "$work/objs.git" && GIT_DIR=. timeit "quai hook pre-receive" "$work/stdin" "$engine" hook pre-receive)
  (cd "$work/objs.git" && GIT_DIR=. timeit "hand-written hook (git show + quai lint per file)" "$work/stdin" "$work/shell-hook")
  pushcase "git push, no hook" none
  pushcase "git push, quai hook" "$work/quai-hook"
} >"$work/results"

python3 - "$work/results" <<'PY'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
t = {label: float(v) for label, v in rows}
q = t["quai hook pre-receive"]
print(f"\n{'case':52} {'wall s':>8} {'x quai':>8}")
for label, v in rows:
    base = q if "hook" in label and "push" not in label else t["git push, no hook"]
    print(f"{label:52} {float(v):8.3f} {float(v) / base:8.2f}")
extra = t["git push, quai hook"] - t["git push, no hook"]
print(f"\nthe hook adds {extra:.3f} s to the push; hand-written hook / quai hook = "
      f"{t['hand-written hook (git show + quai lint per file)'] / q:.0f}x")
ok = q < 1.0
print(f"\ntargets (issue 5)\n  {'met ' if ok else 'MISS'}  push of the history checked in under 1 s: {q:.3f} s")
PY
