#!/usr/bin/env bash
# quai's main job on the bundled example repository, offline: starts a Docker
# engine and an authenticated registry on 127.0.0.1 (scripts/testenv.sh, with
# its own state directory), then lints, builds, tests and pushes the images of
# examples/dockers, prints the pushed digests and stops what it started.
#
#   scripts/example.sh      (after scripts/build.sh)
#
# QUAI_TESTENV_DIR (default /tmp/quai-example) holds the environment's state;
# it is removed at the end unless it was already in use. QUAI names another
# quai binary to run (the tests use their sanitizer build).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

export QUAI_TESTENV_DIR=${QUAI_TESTENV_DIR:-/tmp/quai-example}
quai=${QUAI:-$top/build/quai}
images=(x3-base x3-webdav)
tag=1
preexisting=0
[ -e "$QUAI_TESTENV_DIR" ] && preexisting=1

step() { printf '\n==> %s\n' "$*"; }

cleanup() {
	local rc=$?
	for i in "${images[@]}"; do rm -f "examples/dockers/$i/busybox"; done
	step "stopping the environment"
	if [ "$preexisting" = 1 ]; then
		scripts/testenv.sh stop || true
	else
		scripts/testenv.sh stop --purge || true
		rm -rf "$QUAI_TESTENV_DIR"
	fi
	exit "$rc"
}

if [ -z "${QUAI:-}" ] && { [ ! -x "$quai" ] || [ ! -x build/src/cli/quai-repo ]; }; then
	step "building quai"
	scripts/build.sh
fi

step "starting a Docker engine and a registry (state in $QUAI_TESTENV_DIR)"
trap cleanup EXIT
trap 'exit 130' INT TERM
scripts/testenv.sh start
eval "$(scripts/testenv.sh env)"
registry=$QUAI_TEST_REGISTRY
export QUAI_REGISTRY_USER=$QUAI_TEST_REGISTRY_USER
export QUAI_REGISTRY_PASSWORD=$QUAI_TEST_REGISTRY_PASSWORD

bb=/bin/busybox
[ -x "$bb" ] || bb=/usr/bin/busybox
cp "$bb" examples/dockers/x3-base/busybox

step "quai lint examples/"
"$quai" lint examples/

for i in "${images[@]}"; do
	step "quai build -t $i:$tag examples/dockers/$i"
	"$quai" build -t "$i:$tag" "examples/dockers/$i"
done

for i in "${images[@]}"; do
	step "quai test --dir examples/dockers/$i $i:$tag"
	"$quai" test --dir "examples/dockers/$i" "$i:$tag"
done

digests=()
for i in "${images[@]}"; do
	step "quai push $i:$tag $registry/$i:$tag"
	out=$("$quai" push "$i:$tag" "$registry/$i:$tag")
	echo "$out"
	digests+=("$(tail -n 1 <<<"$out")")
done

step "pushed"
printf '%s\n' "${digests[@]}"
