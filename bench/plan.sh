#!/usr/bin/env bash
# quai plan on a synthetic monorepo: 500 image directories (chains of FROM
# between them) and 10,000 commits, made with git fast-import in a temporary
# directory. Times `quai plan --since <first commit>` and a plan with
# nothing changed, side by side with `git diff --name-only` over the same
# commits (the least any tool must do). The bar: under 200 ms.
#
#   bench/plan.sh              5 repetitions, 500 images, 10,000 commits
#   bench/plan.sh -n 10 -i 500 -c 10000
#   QUAI=path/to/quai bench/plan.sh
#   bench/plan.sh -k           keep the repository (its path is printed)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
reps=5 images=500 commits=10000 keep=0
while getopts n:i:c:k o; do
	case $o in
	n) reps=$OPTARG ;;
	i) images=$OPTARG ;;
	c) commits=$OPTARG ;;
	k) keep=1 ;;
	*) echo "usage: bench/plan.sh [-n REPS] [-i IMAGES] [-c COMMITS] [-k]" >&2; exit 2 ;;
	esac
done
[ "$images" -ge 1 ] && [ "$images" -le 5000 ] || { echo "bench: -i between 1 and 5000" >&2; exit 2; }
[ "$commits" -ge 2 ] && [ "$commits" -le 100000 ] || { echo "bench: -c between 2 and 100000" >&2; exit 2; }

quai=${QUAI:-$top/build/quai}
if [ ! -x "$quai" ]; then
	"$top/scripts/build.sh" >/dev/null
	quai=$top/build/quai
fi

work=$(mktemp -d /tmp/quai-bench-plan.XXXXXX)
[ "$keep" = 1 ] || trap 'rm -rf "$work"' EXIT
repo=$work/repo
git init -q -b main "$repo"

# The history: commit 1 adds every image (every tenth is a base, the nine
# after it are built FROM it, one in three of those has a child of its own);
# each later commit changes one file of one image.
python3 - "$images" "$commits" <<'EOF' | git -C "$repo" fast-import --quiet
import random, sys
images, commits = int(sys.argv[1]), int(sys.argv[2])
random.seed(4)
out = sys.stdout.buffer
def blob(path, text):
    data = text.encode()
    out.write(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))
def commit(n, msg):
    out.write(b"commit refs/heads/main\ncommitter bench <bench@quai> %d +0000\n" % (1700000000 + n))
    m = msg.encode()
    out.write(b"data %d\n%s\n" % (len(m), m))
name = lambda i: "img%04d" % i
commit(1, "all images")
for i in range(images):
    if i % 10 == 0:
        parent = "busybox:1.36"
    elif i % 10 == 9 and i >= 2:
        parent = name(i - 1)
    else:
        parent = name(i - i % 10)
    blob(name(i) + "/Dockerfile",
         "ARG BASE=%s\nFROM ${BASE} AS build\nCOPY src/ /src/\nRUN make -C /src\n"
         "FROM build\nCOPY --from=build /src/out /usr/local/bin/\nCMD [\"app\"]\n" % parent)
    blob(name(i) + "/.dockerignore", "*.md\n")
    blob(name(i) + "/src/main.c", "int main(void) { return %d; }\n" % i)
    blob(name(i) + "/README.md", "image %d\n" % i)
blob("quai.yml", "registry: registry.example\nnamespace: bench\nimages:\n  img0001:\n    tags: [stable]\n")
for n in range(2, commits + 1):
    commit(n, "change %d" % n)
    i = random.randrange(images)
    f = random.choice(["src/main.c", "README.md"])
    blob(name(i) + "/" + f, "change %d\n" % n)
out.write(b"done\n")
EOF
git -C "$repo" checkout -q main
first=$(git -C "$repo" rev-list --max-parents=0 HEAD)
count=$(git -C "$repo" rev-list --count HEAD)
echo "repository: $images images, $count commits ($repo)"

# median wall time in milliseconds of a command, run $reps times after one warm-up
median_ms() {
	"$@" >/dev/null 2>&1 || { echo "bench: failed: $*" >&2; "$@" >/dev/null || true; exit 1; }
	local t=()
	for _ in $(seq "$reps"); do
		local s e
		s=$(date +%s%N)
		"$@" >/dev/null 2>&1
		e=$(date +%s%N)
		t+=($(((e - s) / 1000)))
	done
	printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; printf "%.1f", m/1000}'
}

cd "$repo"
affected=$("$quai" plan --since "$first" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["images"]))')
q_all=$(median_ms "$quai" plan --since "$first")
g_all=$(median_ms git diff --name-only "$first" HEAD)
q_none=$(median_ms "$quai" plan --since HEAD)
g_none=$(median_ms git diff --name-only HEAD HEAD)
q_json=$(median_ms "$quai" plan --since "$first" --json)

printf '\n%-36s %10s %14s %8s\n' "case (median of $reps)" "quai (ms)" "git diff (ms)" "ratio"
row() { printf '%-36s %10s %14s %8s\n' "$1" "$2" "$3" "$(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.2f", a / b }')"; }
row "plan --since first ($affected images)" "$q_all" "$g_all"
row "plan --since first --json" "$q_json" "$g_all"
row "plan --since HEAD (nothing changed)" "$q_none" "$g_none"
worst=$(printf '%s\n%s\n%s\n' "$q_all" "$q_none" "$q_json" | sort -n | tail -1)
awk -v w="$worst" 'BEGIN { printf "\nbar: under 200 ms; slowest case %.1f ms: %s\n", w, (w < 200 ? "met" : "NOT met") }'
