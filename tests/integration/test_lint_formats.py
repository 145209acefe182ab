"""Every --format of quai lint, parsed the way its consumer parses it."""
import json
import os
import pty
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest

from lintenv import clean_env

FINDINGS = 1


@pytest.fixture
def lint(quai_bin, tmp_path):
    home = tmp_path / "_home"
    home.mkdir()

    def run(*args, env=None):
        return subprocess.run([quai_bin, "lint", *map(str, args)], cwd=tmp_path, env=clean_env(home, env),
                              capture_output=True, text=True, timeout=120)

    return run


@pytest.fixture
def two_files(tmp_path):
    """Two files with findings that need no rules: empty, and invalid UTF-8."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "Dockerfile").write_text("")
    (tmp_path / "b.Dockerfile").write_bytes(b"FROM alpine:3.19\nLABEL x=\"<&'\\\"\xff>\"\n")
    return ["a/Dockerfile", "b.Dockerfile"]


def test_json_is_hadolints_shape(lint, two_files):
    r = lint("-f", "json", *two_files)
    assert r.returncode == FINDINGS
    got = json.loads(r.stdout)
    assert isinstance(got, list) and got
    for f in got:
        assert set(f) == {"file", "line", "column", "level", "code", "message"}
        assert isinstance(f["line"], int) and isinstance(f["column"], int)
        assert f["level"] in ("error", "warning", "info", "style")
    assert {f["file"] for f in got} == set(two_files)
    # hadolint prints keys in order: code, column, file, level, line, message
    assert r.stdout.startswith('[{"code":')


def test_json_empty_is_empty_array(lint, tmp_path):
    (tmp_path / "Dockerfile").write_text("")
    r = lint("-f", "json", "--ignore", "DL1000", "Dockerfile")
    assert r.returncode == 0
    assert json.loads(r.stdout) == []


def test_gnu(lint, two_files):
    r = lint("-f", "gnu", *two_files)
    assert r.returncode == FINDINGS
    lines = r.stdout.splitlines()
    assert lines
    for line in lines:
        assert re.fullmatch(r"[^:]+:\d+:\d+: (error|warning|info|style): [A-Z]+\d+ .+", line), line
    assert "a/Dockerfile:1:1: error: DL1000 file is empty" in r.stdout


def test_tty_plain_when_piped(lint, two_files):
    r = lint(*two_files)
    assert "\x1b[" not in r.stdout
    assert re.search(r"^a/Dockerfile:1:1 error DL1000 ", r.stdout, re.M)


def run_on_tty(quai_bin, cwd, args, env):
    """Runs quai with stdout on a pseudo-terminal; returns what it printed."""
    master, slave = pty.openpty()
    p = subprocess.Popen([quai_bin, "lint", *args], cwd=cwd, env=env, stdout=slave,
                         stderr=subprocess.PIPE)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    p.wait(timeout=60)
    os.close(master)
    return out.decode("utf-8", "replace")


@pytest.mark.parametrize("extra_args,extra_env,colour", [
    ([], {}, True),
    (["--no-color"], {}, False),
    ([], {"NO_COLOR": "1"}, False),
    ([], {"HADOLINT_FORMAT": "gnu"}, False),
])
def test_tty_colour(quai_bin, tmp_path, extra_args, extra_env, colour):
    (tmp_path / "Dockerfile").write_text("")
    out = run_on_tty(quai_bin, tmp_path, [*extra_args, "Dockerfile"], clean_env(tmp_path, extra_env))
    assert "DL1000" in out
    assert ("\x1b[" in out) == colour


def test_checkstyle_parses_and_escapes(lint, tmp_path, two_files):
    odd = "we&ird'<na\"me>.Dockerfile"
    (tmp_path / odd).write_text("")
    r = lint("-f", "checkstyle", *two_files, odd)
    assert r.returncode == FINDINGS
    assert r.stdout.startswith("<?xml version='1.0' encoding='UTF-8'?><checkstyle version='4.3'>")
    root = ET.fromstring(r.stdout.encode())
    assert root.tag == "checkstyle"
    files = root.findall("file")
    names = [f.get("name") for f in files]
    assert sorted(names) == sorted([*two_files, odd])
    for f in files:
        errors = f.findall("error")
        assert errors
        for e in errors:
            assert int(e.get("line")) >= 1 and int(e.get("column")) >= 1
            assert e.get("severity") in ("error", "warning", "info", "style")
            assert re.fullmatch(r"[A-Z]+\d+", e.get("source"))
            assert e.get("message")
    by_name = {f.get("name"): f for f in files}
    assert by_name[odd].find("error").get("message").startswith("file is empty")


def test_checkstyle_no_findings(lint, tmp_path):
    (tmp_path / "Dockerfile").write_text("")
    r = lint("-f", "checkstyle", "--ignore", "DL1000", "Dockerfile")
    root = ET.fromstring(r.stdout.encode())
    assert root.tag == "checkstyle" and not list(root)


def test_sarif_for_github_code_scanning(lint, two_files):
    r = lint("-f", "sarif", *two_files)
    assert r.returncode == FINDINGS
    doc = json.loads(r.stdout)
    assert doc["version"] == "2.1.0"
    assert "sarif" in doc["$schema"]
    assert len(doc["runs"]) == 1
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "quai" and driver["version"]
    rules = driver["rules"]
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids))
    for rule in rules:
        assert rule["shortDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note", "none")
    results = run["results"]
    assert results
    for res in results:
        assert res["ruleId"] in ids
        assert ids[res["ruleIndex"]] == res["ruleId"]
        assert res["level"] in ("error", "warning", "note", "none")
        assert res["message"]["text"]
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] in two_files
        assert loc["region"]["startLine"] >= 1 and loc["region"]["startColumn"] >= 1


def test_sarif_levels(lint, tmp_path):
    (tmp_path / "Dockerfile").write_text("")
    for level, sarif in (("error", "error"), ("warning", "warning"), ("info", "note"), ("style", "note")):
        r = lint("-f", "sarif", f"--{level}", "DL1000", "Dockerfile")
        res = json.loads(r.stdout)["runs"][0]["results"]
        assert [x["level"] for x in res] == [sarif]


def test_sarif_no_findings(lint, tmp_path):
    (tmp_path / "Dockerfile").write_text("")
    r = lint("-f", "sarif", "--ignore", "DL1000", "Dockerfile")
    doc = json.loads(r.stdout)
    assert doc["runs"][0]["results"] == []


def test_gitlab_codeclimate(lint, two_files):
    r = lint("-f", "gitlab_codeclimate", *two_files)
    assert r.returncode == FINDINGS
    issues = json.loads(r.stdout)
    assert issues
    prints = []
    for i in issues:
        assert i["type"] == "issue"
        assert re.fullmatch(r"[0-9a-f]{40}", i["fingerprint"])
        assert re.fullmatch(r"[A-Z]+\d+", i["check_name"])
        assert i["description"]
        assert i["categories"] == ["Bug Risk"]
        assert i["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert i["location"]["path"] in two_files
        assert i["location"]["lines"]["begin"] >= 1
        prints.append(i["fingerprint"])
    assert len(prints) == len(set(prints))
    again = json.loads(lint("-f", "gitlab_codeclimate", *two_files).stdout)
    assert [i["fingerprint"] for i in again] == prints


def test_codeclimate_alias(lint, tmp_path):
    (tmp_path / "Dockerfile").write_text("")
    r = lint("-f", "codeclimate", "Dockerfile")
    assert json.loads(r.stdout)[0]["check_name"] == "DL1000"


@pytest.mark.parametrize("fmt", ["tty", "json", "sarif", "checkstyle", "gitlab_codeclimate", "gnu"])
def test_every_format_survives_bad_bytes(lint, tmp_path, fmt):
    name = "odd\xe9.Dockerfile"
    (tmp_path / name).write_bytes(b"\xff\xfe\x00binary")
    r = lint("-f", fmt, name)
    assert r.returncode == FINDINGS
    if fmt in ("json", "sarif", "gitlab_codeclimate"):
        json.loads(r.stdout)
    elif fmt == "checkstyle":
        ET.fromstring(r.stdout.encode())
