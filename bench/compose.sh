#!/usr/bin/env bash
# Measures `quai compose config` against Debian's docker-compose (1.29)
# `config`, one file per process (whole-process wall time, as a user or a
# hook runs them), over every compose file of the awesome-compose corpus.
# Prints each file's median times and the ratio, then the issue's bars:
# quai at least 100x faster per file, under 8 MB peak RSS. Never part of
# the test suite.
#
# usage: bench/compose.sh [-n RUNS] [CORPUS_DIR]
#   RUNS        quai runs per file (default 20; docker-compose runs 3)
#   CORPUS_DIR  default: ../shared/corpus/compose/awesome-compose
#   QUAI_BIN    the quai to measure (default: a release build in build-bench/)
set -euo pipefail

cd "$(dirname "$0")/.."
top=$(pwd)
runs=20
while getopts n: opt; do
  case $opt in
    n) runs=$OPTARG ;;
    *) sed -n '9,12p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
corpus=${1:-${QUAI_CORPUS:-$top/../shared/corpus}/compose/awesome-compose}
[ -d "$corpus" ] || { echo "bench: no corpus at '$corpus'" >&2; exit 2; }
command -v docker-compose >/dev/null || { echo "bench: docker-compose not installed (apt-get install docker-compose)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time not installed (apt-get install time)" >&2; exit 2; }

quai=${QUAI_BIN:-}
if [ -z "$quai" ]; then
  [ -f build-bench/build.ninja ] || meson setup build-bench --buildtype=release >/dev/null
  ninja -C build-bench src/cli/quai >/dev/null
  quai=build-bench/src/cli/quai
fi

echo "quai $("$quai" --version | sed 's/^quai //'), $(docker-compose version --short 2>/dev/null | sed 's/^/docker-compose /')"
echo "$(nproc) CPUs, $(uname -sr)"

python3 - "$quai" "$corpus" "$runs" <<'PY'
import os, statistics, subprocess, sys, tempfile, time

quai, corpus, runs = os.path.abspath(sys.argv[1]), sys.argv[2], int(sys.argv[3])
env = dict(os.environ)
env.pop("COMPOSE_FILE", None)


def once(argv, cwd):
    start = time.perf_counter()
    p = subprocess.run(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, p.returncode


def median(argv, cwd, n):
    once(argv, cwd)  # warm the page cache
    walls, codes = [], set()
    for _ in range(n):
        w, c = once(argv, cwd)
        walls.append(w)
        codes.add(c)
    return statistics.median(walls), sorted(codes)


def peak_rss_kb(argv, cwd):
    with tempfile.NamedTemporaryFile("r") as out:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out.name, *argv], cwd=cwd, env=env,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        lines = [l for l in out.read().splitlines() if l.strip().isdigit()]
    return int(lines[-1]) if lines else 0


files = []
for d in sorted(os.listdir(corpus)):
    p = os.path.join(corpus, d)
    if os.path.isdir(p):
        names = sorted(n for n in os.listdir(p) if "compose" in n and n.endswith((".yml", ".yaml")))
        if names:
            files.append((p, names[0]))

print(f"\n{len(files)} files; quai: median of {runs} runs, docker-compose: median of 3, one process per file")
print(f"  {'file':<40} {'quai':>9} {'docker-compose':>15} {'ratio':>8} {'quai RSS':>9} {'dc RSS':>8}  exit")
ratios, qrss, qwalls, dwalls = [], [], [], []
for cwd, name in files:
    q, qc = median([quai, "compose", "-f", name, "config"], cwd, runs)
    d, dc = median(["docker-compose", "-f", name, "config"], cwd, 3)
    qr = peak_rss_kb([quai, "compose", "-f", name, "config"], cwd)
    dr = peak_rss_kb(["docker-compose", "-f", name, "config"], cwd)
    ratios.append(d / q)
    qrss.append(qr)
    qwalls.append(q)
    dwalls.append(d)
    label = os.path.basename(cwd) + "/" + name
    print(f"  {label:<40} {q * 1000:7.2f}ms {d * 1000:13.1f}ms {d / q:7.0f}x {qr / 1024:7.1f}MB {dr / 1024:6.1f}MB"
          f"  {','.join(map(str, qc))}/{','.join(map(str, dc))}")

print(f"\nquai per file: median {statistics.median(qwalls) * 1000:.2f} ms; "
      f"docker-compose: median {statistics.median(dwalls) * 1000:.0f} ms")
print(f"speed-up per file: median {statistics.median(ratios):.0f}x, lowest {min(ratios):.0f}x "
      f"(bar: >= 100x) -> {'met' if min(ratios) >= 100 else 'NOT met'}")
print(f"quai peak RSS: largest {max(qrss) / 1024:.1f} MB (bar: < 8 MB) -> {'met' if max(qrss) < 8 * 1024 else 'NOT met'}")
PY
