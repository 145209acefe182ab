#!/usr/bin/env bash
# clang-tidy and cppcheck over src/, and no banned function anywhere in src/.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-asan}
status=0

banned='\b(strcpy|strcat|sprintf|vsprintf|strtok|gets|system|popen)\s*\('
if grep -rnE "$banned" src --include='*.c' | grep -v 'src/core/banned.h'; then
  echo "banned functions used (see src/core/banned.h)"; status=1
fi

mapfile -t files < <(find src -name '*.c' | sort)
echo "clang-tidy on ${#files[@]} files"
log=$(mktemp)
# one clang-tidy per file, as many at once as there are cores
if ! printf '%s\0' "${files[@]}" | xargs -0 -n 1 -P "$(nproc)" clang-tidy -p "$build" --quiet >"$log" 2>/dev/null; then status=1; fi
if grep -E 'warning:|error:' "$log"; then status=1; fi
rm -f "$log"

echo "cppcheck"
if ! cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
     --inline-suppr --std=c11 -D__GNUC__ -I src -I "$build" \
     --suppress=missingIncludeSystem src; then status=1; fi
exit $status
