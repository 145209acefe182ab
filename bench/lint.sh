#!/usr/bin/env bash
# Measures `quai lint` against dockerfilelint and dockerfile-utils on the same
# inputs in one run: (a) the whole corpus in one process per tool, (b) one
# small file. Prints wall time (median), peak RSS and the ratios quai/peer,
# then the issue's targets. Never part of the test suite.
#
# usage: bench/lint.sh [-n RUNS] [-f SMALL_FILE] [CORPUS_DIR]
#   RUNS        repetitions per command (default 10)
#   SMALL_FILE  the one-file case (default: a 16-line Dockerfile of the corpus)
#   CORPUS_DIR  default: ../shared/corpus/dockerfiles (or $QUAI_CORPUS/dockerfiles)
set -euo pipefail

cd "$(dirname "$0")/.."
top=$(pwd)
runs=10
small=
while getopts n:f: opt; do
  case $opt in
    n) runs=$OPTARG ;;
    f) small=$OPTARG ;;
    *) sed -n '7,10p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
corpus=${1:-${QUAI_CORPUS:-$top/../shared/corpus}/dockerfiles}
[ -d "$corpus" ] || { echo "bench: no corpus at '$corpus'" >&2; exit 2; }
[ -n "$small" ] || small=$corpus/jessfraz+dockerfiles/ab__Dockerfile
[ -f "$small" ] || { echo "bench: no file '$small'" >&2; exit 2; }

# quai's release build (brought up to date: a stale binary would measure old
# code), and the peers from npm into bench/node_modules
if [ -f build/build.ninja ]; then
  ninja -C build >/dev/null
  ln -sf src/cli/quai build/quai
  # build/ may be a developer's sanitizer or debug build: say so, the times
  # would mean nothing
  meson introspect build --buildoptions | python3 -c '
import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
bt, san = o.get("buildtype"), o.get("b_sanitize")
if bt != "release" or san not in ("none", ""):
    print("bench: WARNING build/ is not a plain release build (buildtype=%s, b_sanitize=%s): "
          "run scripts/build.sh in a fresh checkout" % (bt, san), file=sys.stderr)
'
fi
[ -x build/quai ] || scripts/build.sh >/dev/null
if [ ! -x bench/node_modules/.bin/dockerfilelint ] || [ ! -d bench/node_modules/dockerfile-utils ]; then
  npm ci --prefix bench --no-audit --no-fund >/dev/null
fi

mkdir -p bench/results
list=bench/results/corpus-files.txt
find "$corpus" -type f ! -name MANIFEST.tsv | sort >"$list"
n=$(wc -l <"$list")
json=bench/results/lint-$(date -u +%Y%m%dT%H%M%SZ).json

echo "quai $(build/quai --version | sed 's/^quai //'), dockerfilelint $(node -p 'require("./bench/node_modules/dockerfilelint/package.json").version')," \
     "dockerfile-utils $(node -p 'require("./bench/node_modules/dockerfile-utils/package.json").version'), node $(node --version)"
echo "$(nproc) CPUs, $(uname -sr)"

python3 bench/measure.py --runs "$runs" --json "$json" \
  --case "corpus: $n files, one process per tool" -- \
    "quai=build/quai lint @$list" \
    "dockerfilelint=bench/node_modules/.bin/dockerfilelint @$list" \
    "dockerfile-utils=node bench/dockerfile-utils-lint.js @$list" \
  --case "one small file: $(basename "$small") ($(wc -l <"$small") lines)" -- \
    "quai=build/quai lint $small" \
    "dockerfilelint=bench/node_modules/.bin/dockerfilelint $small" \
    "dockerfile-utils=node bench/dockerfile-utils-lint.js $small"

python3 - "$json" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
def row(case, tool):
    return next(r for r in res[case]["rows"] if r["tool"] == tool)
def check(what, ok, detail):
    print(f"  {'met ' if ok else 'MISS'}  {what}: {detail}")
print("\ntargets (issue 2)")
q, d = row(0, "quai"), row(0, "dockerfilelint")
check("corpus wall <= 1/40 of dockerfilelint", q["wall"] * 40 <= d["wall"], f"1/{d['wall'] / q['wall']:.0f}")
q1, d1 = row(1, "quai"), row(1, "dockerfilelint")
check("small file wall <= 1/100 of dockerfilelint", q1["wall"] * 100 <= d1["wall"], f"1/{d1['wall'] / q1['wall']:.0f}")
peak = max(q["rss_kb"], q1["rss_kb"])
check("quai peak RSS < 8 MB", peak < 8 * 1024, f"{peak / 1024:.1f} MB")
print(f"\nraw numbers: {sys.argv[1]}")
PY
