#!/usr/bin/env bash
# Correctness against dockerfilelint on the corpus: its false positives, its
# crash on HEALTHCHECK CMD, its exit status, and quai's behaviour on the same
# inputs. Needs build/quai (scripts/build.sh) and the npm peers (npm ci --prefix bench).
#
# usage: bench/compare.sh [CORPUS_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-${QUAI_CORPUS:-$(pwd)/../shared/corpus}/dockerfiles}
[ -d "$corpus" ] || { echo "compare: no corpus at '$corpus'" >&2; exit 2; }
[ -x build/quai ] || scripts/build.sh >/dev/null
[ -x bench/node_modules/.bin/dockerfilelint ] || npm ci --prefix bench --no-audit --no-fund >/dev/null
exec python3 bench/compare.py build/quai bench/node_modules/.bin/dockerfilelint "$(cd "$corpus" && pwd)"
