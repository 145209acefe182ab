#!/usr/bin/env bash
# quai plan on a synthetic monorepo: 500 image directories (chains of FROM
# between them) and 10,000 commits, made with git fast-import in a temporary
# directory. Times `quai plan --since <first commit>` and a plan with
# nothing changed, side by side with `git diff --name-only` over the same
# commits (the least any tool must do), wall and CPU time. The bar: under
# 200 ms.
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
if [ "$images" -lt 1 ] || [ "$images" -gt 5000 ]; then echo "bench: -i between 1 and 5000" >&2; exit 2; fi
if [ "$commits" -lt 2 ] || [ "$commits" -gt 100000 ]; then echo "bench: -c between 2 and 100000" >&2; exit 2; fi

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

cd "$repo"
# Each case: one warm-up, then $reps runs; the median wall time and the
# median CPU time (user + system, from getrusage), both in milliseconds.
# On a loaded machine the wall time waits for a core; the CPU time does not.
python3 - "$reps" "$quai" "$first" <<'EOF'
import json, os, resource, subprocess, sys, time
reps, quai, first = int(sys.argv[1]), sys.argv[2], sys.argv[3]


def measure(argv):
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    walls, cpus = [], []
    for _ in range(reps):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t1 = time.perf_counter()
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        walls.append((t1 - t0) * 1000)
        cpus.append((r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1000)
    return sorted(walls)[(reps - 1) // 2], sorted(cpus)[(reps - 1) // 2]


out = subprocess.run([quai, "plan", "--since", first, "--json"], check=True, capture_output=True, text=True).stdout
affected = len(json.loads(out)["images"])
diff = ["git", "diff", "--name-only", first, "HEAD"]
cases = [
    ("plan --since first (%d images)" % affected, [quai, "plan", "--since", first], diff),
    ("plan --since first --json", [quai, "plan", "--since", first, "--json"], diff),
    ("plan --since HEAD (nothing changed)", [quai, "plan", "--since", "HEAD"],
     ["git", "diff", "--name-only", "HEAD", "HEAD"]),
    ("plan --since HEAD --dirty", [quai, "plan", "--since", "HEAD", "--dirty"], ["git", "status", "--porcelain"]),
]
print("\n%-36s %16s %16s %7s %7s" % ("case (median of %d, ms)" % reps, "quai wall / cpu", "git wall / cpu",
                                      "wall x", "cpu x"))
worst_wall = worst_cpu = 0
for name, q, g in cases:
    qw, qc = measure(q)
    gw, gc = measure(g)
    worst_wall, worst_cpu = max(worst_wall, qw), max(worst_cpu, qc)
    print("%-36s %7.1f / %6.1f %7.1f / %6.1f %7.2f %7.2f" % (name, qw, qc, gw, gc, qw / gw, qc / max(gc, 0.1)))
print("\ngit: git diff --name-only over the same commits (git status --porcelain for --dirty)")
print("bar: under 200 ms; slowest wall %.1f ms (%s), slowest CPU %.1f ms (%s); load average %.1f" % (
    worst_wall, "met" if worst_wall < 200 else "NOT met", worst_cpu, "met" if worst_cpu < 200 else "NOT met",
    os.getloadavg()[0]))
EOF
