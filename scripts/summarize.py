#!/usr/bin/env python3
"""Adds up every test the suite ran and prints 'N passed, N failed'.

meson tests that speak TAP count one per subtest, others one each; pytest
counts from its JUnit XML; suite steps (build, fuzz smoke, static analysis)
count one each. Exits 1 if anything failed."""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

out = sys.argv[1]
passed = failed = skipped = 0
failures = []

log = os.path.join(out, "testlog.json")
if os.path.exists(log):
    with open(log, encoding="utf-8", errors="replace") as f:
        for line in f:
            t = json.loads(line)
            name, result = t.get("name", "?"), t.get("result", "")
            oks = re.findall(r"^ok \d+", t.get("stdout", ""), re.M)
            bads = re.findall(r"^not ok \d+.*$", t.get("stdout", ""), re.M)
            if oks or bads:
                passed += len(oks)
                failed += len(bads)
                failures += [f"{name}: {b}" for b in bads]
                if result not in ("OK", "EXPECTEDFAIL") and not bads:
                    failed += 1
                    failures.append(f"{name}: {result}")
            elif result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
                failures.append(f"{name}: {result}")

xmlp = os.path.join(out, "pytest.xml")
if os.path.exists(xmlp):
    for case in ET.parse(xmlp).getroot().iter("testcase"):
        kinds = {c.tag for c in case}
        name = f"{case.get('classname')}.{case.get('name')}"
        if "failure" in kinds or "error" in kinds:
            failed += 1
            failures.append(name)
        elif "skipped" in kinds:
            skipped += 1
        else:
            passed += 1

steps = os.path.join(out, "steps.txt")
if os.path.exists(steps):
    for line in open(steps, encoding="utf-8"):
        status, _, name = line.strip().partition(" ")
        if status == "pass":
            passed += 1
        else:
            failed += 1
            failures.append(name)

if failures:
    print("\nfailed:")
    for name in failures[:50]:
        print("  " + name)
if passed + failed == 0:
    failed = 1
    print("no test ran")
if skipped:
    print(f"({skipped} skipped: optional tools absent)")
# the last line is exactly "N passed, N failed"
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
