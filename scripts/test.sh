#!/usr/bin/env bash
# The whole test suite: installs what the tests need, builds quai with
# AddressSanitizer and UBSan, then runs unit tests (meson test), integration
# tests (pytest against the real binary), the corpus checks, a short fuzzing
# smoke, clang-tidy and cppcheck. Ends with one line "N passed, N failed".
set -uo pipefail

cd "$(dirname "$0")/.."
top=$(pwd)
out=${QUAI_TEST_OUT:-$top/build-test-results}
rm -rf "$out"
mkdir -p "$out"

step() { printf '\n== %s\n' "$*"; }
# record NAME STATUS: one pass/fail line for a step that is one test
record() { echo "$2 $1" >> "$out/steps.txt"; }

step "dependencies"
scripts/install-deps.sh test || { echo "installing dependencies failed"; echo "0 passed, 1 failed"; exit 1; }

step "sanitizer build (ASan + UBSan)"
if [ ! -f build-asan/build.ninja ]; then
  meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debug >/dev/null
fi
if ninja -C build-asan >"$out/build.log" 2>&1; then
  record "sanitizer build" pass
else
  cat "$out/build.log"
  record "sanitizer build" fail
  /usr/bin/python3 scripts/summarize.py "$out"
  exit 1
fi

export ASAN_OPTIONS=abort_on_error=0:detect_leaks=1:halt_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export QUAI_BIN=$top/build-asan/src/cli/quai
export QUAI_CORPUS=${QUAI_CORPUS:-$top/../shared/corpus}

step "unit tests (meson test)"
meson test -C build-asan --print-errorlogs --num-processes 2 >"$out/meson.log" 2>&1
tail -n 12 "$out/meson.log"
cp build-asan/meson-logs/testlog.json "$out/testlog.json" 2>/dev/null

step "test environment (engine, registries, images)"
# scripts/testenv.sh starts what is not running and stops only that; its
# exports reach pytest. If it cannot start, the tests that need it fail.
stop_testenv() { scripts/testenv.sh stop >"$out/testenv-stop.log" 2>&1 || cat "$out/testenv-stop.log"; }
trap stop_testenv EXIT
trap 'stop_testenv; trap - EXIT; exit 130' INT
trap 'stop_testenv; trap - EXIT; exit 143' TERM
if scripts/testenv.sh start >"$out/testenv.log" 2>&1 && env_sh=$(scripts/testenv.sh env 2>>"$out/testenv.log"); then
  eval "$env_sh"
  tail -n 1 "$out/testenv.log"
  record "test environment start" pass
else
  tail -n 20 "$out/testenv.log"
  export QUAI_TESTENV_FAILED="see $out/testenv.log"
  record "test environment start" fail
fi

step "integration tests (pytest)"
if ls tests/integration/test_*.py >/dev/null 2>&1; then
  /usr/bin/python3 -m pytest -q -p no:cacheprovider --junitxml="$out/pytest.xml" tests/integration 2>&1 | tail -n 15
fi
stop_testenv
trap - EXIT INT TERM

if [ -x fuzz/smoke.sh ]; then
  step "fuzzing smoke"
  if fuzz/smoke.sh >"$out/fuzz.log" 2>&1; then record "fuzzing smoke" pass; else tail -n 30 "$out/fuzz.log"; record "fuzzing smoke" fail; fi
fi

step "static analysis"
if scripts/check-static.sh >"$out/static.log" 2>&1; then record "clang-tidy and cppcheck" pass; else tail -n 40 "$out/static.log"; record "clang-tidy and cppcheck" fail; fi

/usr/bin/python3 scripts/summarize.py "$out"
