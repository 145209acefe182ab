#!/usr/bin/env python3
"""Times commands side by side and prints a table with the ratios to the first.

usage: measure.py [--runs N] [--json FILE] --case NAME -- LABEL=CMD... [--case NAME -- ...]

Each CMD is split on whitespace (paths must not contain spaces; a word
"@FILE" expands to the lines of FILE, one argument each). Every command runs
once to warm the page cache, then N times; wall time is the median of the N.
Peak RSS is the largest "maximum resident set size" GNU time (/usr/bin/time,
Debian package `time`) reports over three more runs: measured from python,
the kernel would count the python process the child was forked from. Output
goes to /dev/null. A command killed by a signal is reported as a crash.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

GNU_TIME = "/usr/bin/time"


def expand(cmd):
    args = []
    for word in cmd.split():
        if word.startswith("@"):
            with open(word[1:]) as f:
                args.extend(line.rstrip("\n") for line in f if line.strip())
        else:
            args.append(word)
    return args


def run_once(argv):
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss, proc.returncode


def peak_rss_kb(argv):
    """Maximum resident set size in KiB, as /usr/bin/time -f %M reports it."""
    if not os.access(GNU_TIME, os.X_OK):
        sys.exit(f"measure.py: {GNU_TIME} not found: apt-get install time")
    with tempfile.NamedTemporaryFile("r") as out:
        subprocess.run([GNU_TIME, "-f", "%M", "-o", out.name, *argv], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        lines = [line for line in out.read().splitlines() if line.strip().isdigit()]
    return int(lines[-1]) if lines else 0


def measure(argv, runs):
    run_once(argv)
    walls, codes = [], set()
    for _ in range(runs):
        wall, _, code = run_once(argv)
        walls.append(wall)
        codes.add(code)
    rss = max(peak_rss_kb(argv) for _ in range(3))
    return {"wall": statistics.median(walls), "wall_min": min(walls), "rss_kb": rss, "exit": sorted(codes)}


def fmt_time(s):
    return f"{s * 1000:8.1f} ms" if s < 10 else f"{s:8.2f} s "


def fmt_ratio(num, den):
    if den <= 0 or num <= 0:
        return "n/a"
    r = num / den
    return f"{r:.4f} (1/{1 / r:.0f})" if r < 1 else f"{r:.2f}x"


def parse_cases(argv):
    cases, cur = [], None
    i = 0
    while i < len(argv):
        if argv[i] == "--case":
            cur = {"name": argv[i + 1], "cmds": []}
            cases.append(cur)
            i += 2
        elif argv[i] == "--":
            i += 1
        else:
            label, _, cmd = argv[i].partition("=")
            cur["cmds"].append((label, cmd))
            i += 1
    return cases


def main():
    ap = argparse.ArgumentParser(add_help=True)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--json")
    opts, rest = ap.parse_known_args()
    cases = parse_cases(rest)
    results = []
    for case in cases:
        print(f"\n{case['name']}  (median of {opts.runs} runs after one warm-up)")
        print(f"  {'tool':<18} {'wall':>11} {'peak RSS':>11}  {'exit':<6} {'wall quai/tool':<18} {'RSS quai/tool':<18}")
        rows = []
        for label, cmd in case["cmds"]:
            r = measure(expand(cmd), opts.runs)
            r["tool"] = label
            rows.append(r)
        base = rows[0]
        for r in rows:
            crash = any(c < 0 for c in r["exit"])
            exits = ",".join(map(str, r["exit"])) + (" CRASH" if crash else "")
            wr = "" if r is base else fmt_ratio(base["wall"], r["wall"])
            rr = "" if r is base else fmt_ratio(base["rss_kb"], r["rss_kb"])
            print(f"  {r['tool']:<18} {fmt_time(r['wall']):>11} {r['rss_kb'] / 1024:8.1f} MB  {exits:<6} {wr:<18} {rr:<18}")
        results.append({"case": case["name"], "rows": rows})
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump({"runs": opts.runs, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                       "results": results}, f, indent=2)
    return results


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
