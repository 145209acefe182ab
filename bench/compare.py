#!/usr/bin/env python3
"""Correctness side by side: where dockerfilelint goes wrong on the corpus,
and what quai does on the same inputs.

usage: compare.py QUAI DOCKERFILELINT CORPUS_DIR

Shows (1) dockerfilelint's false positives: heredoc bodies read as
instructions, `FROM --platform=...` read as the image, stage names called
untagged images; (2) its crash on `FROM scratch` + `HEALTHCHECK CMD /bin/bla`;
(3) its exit status, the finding count mod 256; and for each, quai's
findings on the same lines and its exit status. The Dockerfile structure
(heredoc bodies, FROM lines, stage names) comes from a small reader here, not
from either tool.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HEREDOC = re.compile(r"<<(-?)\s*([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
UNTAGGED_CODES = {"DL3006", "DL3007"}


def read_structure(path):
    """Heredoc body lines, lines of instructions that open heredocs, and FROM
    lines with (flags, image, alias, is_stage)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    escape = "\\"
    heredoc_lines, openers, froms, aliases = set(), set(), {}, set()
    i, in_directives = 0, True
    while i < len(lines):
        line = lines[i].rstrip("\r")
        m = re.match(r"#\s*escape\s*=\s*(\S)", line)
        if in_directives and m:
            escape = m.group(1)
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            in_directives = in_directives and stripped.startswith("#")
            i += 1
            continue
        in_directives = False
        start, text = i + 1, line
        while text.rstrip().endswith(escape) and i + 1 < len(lines):
            i += 1
            nxt = lines[i].rstrip("\r")
            if nxt.strip().startswith("#"):
                continue
            text = text.rstrip()[:-1] + " " + nxt
        docs = HEREDOC.findall(text) if re.match(r"\s*(RUN|COPY|ADD)\b", text, re.I) else []
        if docs:
            openers.add(start)
        for strip_tabs, _, word in docs:
            while i + 1 < len(lines):
                i += 1
                heredoc_lines.add(i + 1)
                body = lines[i].rstrip("\r")
                if (body.lstrip("\t") if strip_tabs else body) == word:
                    break
        words = text.split()
        if words and words[0].upper() == "FROM":
            flags = [w for w in words[1:] if w.startswith("--")]
            rest = [w for w in words[1:] if not w.startswith("--")]
            image = rest[0] if rest else ""
            alias = rest[2] if len(rest) >= 3 and rest[1].upper() == "AS" else None
            froms[start] = (flags, image, alias, image.lower() in aliases)
            if alias:
                aliases.add(alias.lower())
        i += 1
    return heredoc_lines, openers, froms


def tagged(image):
    last = image.rsplit("/", 1)[-1]
    return ":" in last or "@" in image or image.startswith("$") or image == "scratch"


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, **kw)


def quai_findings(quai, files):
    """quai lint --format json over all files in a few processes."""
    found, statuses = [], set()
    for k in range(0, len(files), 100):
        p = run([quai, "lint", "--format", "json", *files[k:k + 100]])
        statuses.add(p.returncode)
        if p.returncode not in (0, 1):
            print(f"  quai exited {p.returncode}: {p.stderr.strip()[:200]}")
        try:
            found.extend(json.loads(p.stdout or "[]"))
        except json.JSONDecodeError:
            print(f"  quai printed no JSON (exit {p.returncode}): {p.stdout[:200]!r} {p.stderr[:200]!r}")
    return found, statuses


def dfl_findings(dfl, files):
    # dockerfilelint calls process.exit() right after writing: into a pipe its
    # output is cut at 64 KiB, into a file it is whole
    with tempfile.TemporaryFile("w+") as out:
        p = subprocess.run([dfl, "-j", *files], stdout=out, stderr=subprocess.DEVNULL)
        out.seek(0)
        try:
            return json.load(out)["files"], p.returncode
        except (json.JSONDecodeError, KeyError):
            return None, p.returncode


def at(findings, file, lines, codes=None):
    return [f for f in findings if f.get("file") == file and f.get("line") in lines
            and (codes is None or f.get("code") in codes)]


def section(title):
    print(f"\n== {title}")


def main():
    quai, dfl, corpus = sys.argv[1:4]
    files = sorted(os.path.join(d, n) for d, _, ns in os.walk(corpus) for n in ns if n != "MANIFEST.tsv")
    print(f"{len(files)} Dockerfiles under {corpus}", flush=True)
    structure = {f: read_structure(f) for f in files}
    dfl_files, dfl_status = dfl_findings(dfl, files)
    qf, q_status = quai_findings(quai, files)
    if dfl_files is None:
        sys.exit(f"dockerfilelint printed no JSON (exit {dfl_status})")

    cats = {"heredoc": [], "platform": [], "stage": []}
    q_here, q_open, q_plat, q_stage = [], [], [], []
    for entry in dfl_files:
        name = entry["file"]
        heredoc_lines, openers, froms = structure[name]
        for issue in entry["issues"]:
            line = int(issue["line"])
            if line in heredoc_lines:
                cats["heredoc"].append((name, issue))
            elif line in froms and "Tag" in issue["title"]:
                flags, image, _, is_stage = froms[line]
                if is_stage:
                    cats["stage"].append((name, issue))
                elif any(f.startswith("--platform") for f in flags) and tagged(image):
                    cats["platform"].append((name, issue))
        q_here += at(qf, name, heredoc_lines)
        q_open += at(qf, name, openers)
        q_plat += at(qf, name, {ln for ln, v in froms.items() if any(f.startswith("--platform") for f in v[0])},
                     UNTAGGED_CODES)
        q_stage += at(qf, name, {ln for ln, v in froms.items() if v[3]}, UNTAGGED_CODES)

    def show(key, what, quai_part):
        items = cats[key]
        nfiles = len({n for n, _ in items})
        section(what)
        print(f"  dockerfilelint: {len(items)} false positives in {nfiles} files")
        for name, issue in items[:4]:
            print(f"    {os.path.relpath(name, corpus)}:{issue['line']}: {issue['title']}: {issue['content'][:60]!r}")
        print(f"  quai on the same inputs: {quai_part}")

    heredoc_files = sum(1 for h, _, _ in structure.values() if h)
    syntax_here = [f for f in q_here if f.get("code") == "DL1000"]
    codes_open = sorted({f.get("code") for f in q_open})
    show("heredoc", f"heredoc bodies read as instructions ({heredoc_files} files use heredocs)",
         f"{len(syntax_here)} syntax findings on heredoc body lines ({len(q_here)} findings there in all); "
         f"bodies linted as scripts: {len(q_open)} findings at the lines that open heredocs "
         f"({', '.join(codes_open) or 'none'})")
    show("platform", "FROM --platform=... read as the image",
         f"{len(q_plat)} DL3006/DL3007 findings on FROM --platform lines")
    show("stage", "stage names called untagged images",
         f"{len(q_stage)} DL3006/DL3007 findings on FROM <stage> lines")

    section("FROM scratch + HEALTHCHECK CMD /bin/bla")
    with tempfile.TemporaryDirectory() as tmp:
        df = os.path.join(tmp, "Dockerfile")
        with open(df, "w") as f:
            f.write("FROM scratch\nHEALTHCHECK CMD /bin/bla\n")
        p = run([dfl, df])
        err = next((ln for ln in p.stderr.splitlines() if "Error" in ln), p.stderr.strip()[:80])
        print(f"  dockerfilelint: exit {p.returncode}, {err}")
        p = run([quai, "lint", "--format", "gnu", df])
        print(f"  quai: exit {p.returncode}, {len(p.stdout.splitlines())} findings, "
              f"stderr {'empty' if not p.stderr else repr(p.stderr[:80])}")
        for ln in p.stdout.splitlines()[:3]:
            print(f"    {ln.replace(tmp + '/', '')}")
        for name in files:
            if "HEALTHCHECK" in open(name, errors="replace").read():
                p = run([dfl, name])
                crashed = "TypeError" in p.stderr or "Error:" in p.stderr
                print(f"  corpus file with HEALTHCHECK {os.path.relpath(name, corpus)}: dockerfilelint "
                      f"{'crashes' if crashed else f'exit {p.returncode}'}")

        section("exit status")
        total = sum(e["issues_count"] for e in dfl_files)
        print(f"  dockerfilelint on the corpus: {total} findings, exit {dfl_status} (= {total} mod 256)")
        many = os.path.join(tmp, "many")
        with open(many, "w") as f:
            f.write("FROM alpine:latest\n" * 256)
        many_files, many_status = dfl_findings(dfl, [many])
        n = many_files[0]["issues_count"] if many_files else "?"
        print(f"  dockerfilelint on 256 x 'FROM alpine:latest': {n} findings, exit {many_status}")
        p = run([quai, "lint", "--format", "json", many])
        try:
            nq = len(json.loads(p.stdout))
        except json.JSONDecodeError:
            nq = "?"
        print(f"  quai on the corpus: {len(qf)} findings, exit {'/'.join(map(str, sorted(q_status)))} "
              f"(0 clean, 1 findings, 2 usage error)")
        print(f"  quai on 256 x 'FROM alpine:latest': {nq} findings, exit {p.returncode}")
        syntax = [f for f in qf if f.get("code") == "DL1000"]
        print(f"  quai syntax findings (DL1000) on the corpus, which docker builds: {len(syntax)}")
        for f in syntax[:5]:
            print(f"    {f.get('file')}:{f.get('line')}: {f.get('message')}")


if __name__ == "__main__":
    main()
