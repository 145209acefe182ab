"""quai's own QU rules through the real binary: configuration that only the
binary applies (require-user), findings inside heredoc bodies at their own
line, and no error-level QU finding on the real-world corpus."""
import json
import os
import subprocess

import pytest

QU_CODES = [f"QU{n:04d}" for n in range(1, 11)]
DL4_CODES = ["DL1001", "DL4000", "DL4001", "DL4003", "DL4004", "DL4005", "DL4006", "DL4007"]


@pytest.fixture
def lint(quai_bin, tmp_path):
    """Runs `quai lint --format json` in a project of its own; returns (status, findings)."""
    (tmp_path / "home").mkdir()

    def run(dockerfile, config=None, *args):
        proj = tmp_path / "proj"
        proj.mkdir(exist_ok=True)
        (proj / "Dockerfile").write_text(dockerfile)
        if config is not None:
            (proj / ".hadolint.yaml").write_text(config)
        env = {k: v for k, v in os.environ.items() if not k.startswith("HADOLINT_") and k != "XDG_CONFIG_HOME"}
        env["HOME"] = str(tmp_path / "home")
        p = subprocess.run([quai_bin, "lint", "--format", "json", *args, "Dockerfile"], cwd=proj, env=env,
                           capture_output=True, text=True, timeout=60)
        return p.returncode, json.loads(p.stdout) if p.stdout.strip() else []

    return run


def codes(findings):
    return [f["code"] for f in findings]


def test_rules_lists_every_qu_and_dl4_rule(quai):
    r = quai("lint", "--rules")
    assert r.returncode == 0, r.stderr
    listed = {line.split()[0] for line in r.stdout.splitlines() if line.strip()}
    for code in QU_CODES + DL4_CODES:
        assert code in listed, code


ROOT_IMAGE = "FROM debian:12\nCMD [\"true\"]\n"


def test_final_stage_without_user_is_reported_by_default(lint):
    status, found = lint(ROOT_IMAGE)
    assert "QU0008" in codes(found)
    # style level: shown, but under the default failure threshold (info)
    assert status == 0


def test_require_user_false_turns_qu0008_off(lint):
    status, found = lint(ROOT_IMAGE, "require-user: false\n")
    assert "QU0008" not in codes(found)
    assert status == 0


def test_qu0008_ignored_like_any_rule(lint):
    _, found = lint(ROOT_IMAGE, "ignored: [QU0008]\n")
    assert "QU0008" not in codes(found)


def test_upgrade_inside_heredoc_reported_at_its_line(lint):
    df = ("FROM debian:12\n"
          "USER nobody\n"
          "RUN <<EOF\n"
          "set -e\n"
          "apt-get update\n"
          "apt-get -y upgrade\n"
          "EOF\n")
    _, found = lint(df)
    qu = [f for f in found if f["code"] == "QU0004"]
    assert [f["line"] for f in qu] == [6], found


def test_inline_pragma_silences_a_qu_rule_and_dl1001_reports_it(lint):
    df = ("FROM debian:12\n"
          "USER nobody\n"
          "# hadolint ignore=QU0004\n"
          "RUN apt-get update && apt-get -y upgrade\n")
    _, found = lint(df, "override:\n  warning: [DL1001]\n")
    assert "QU0004" not in codes(found)
    assert [f["line"] for f in found if f["code"] == "DL1001"] == [3]


def test_no_error_level_qu_finding_on_the_corpus(quai_bin, corpus):
    files = sorted(str(p) for p in (corpus / "dockerfiles").rglob("*") if p.is_file() and p.name != "MANIFEST.tsv")
    if not files:
        pytest.skip("corpus has no Dockerfiles")
    p = subprocess.run([quai_bin, "lint", "--format", "json", *files], capture_output=True, text=True, timeout=300)
    assert p.returncode in (0, 1), p.stderr[-2000:]
    errors = [f for f in json.loads(p.stdout) if f["code"].startswith("QU") and f["level"] == "error"]
    assert not errors, errors[:10]


def test_secrets_one_finding_per_name_with_dl3064(lint):
    df = ("FROM debian:12\n"
          "USER nobody\n"
          "ARG NPM_TOKEN\n"
          "ARG DB_PASS\n")
    _, found = lint(df)
    by_line = {}
    for f in found:
        if f["code"] in ("DL3064", "QU0010"):
            by_line.setdefault(f["line"], []).append(f["code"])
    assert by_line == {3: ["DL3064"], 4: ["QU0010"]}, found


def test_secrets_all_reported_by_qu0010_when_dl3064_is_off(lint):
    df = ("FROM debian:12\n"
          "USER nobody\n"
          "ARG NPM_TOKEN\n"
          "ENV TOKENIZERS_PARALLELISM=false\n")
    _, found = lint(df, "ignored: [DL3064]\n")
    assert [(f["line"], f["code"]) for f in found if f["code"] in ("DL3064", "QU0010")] == [(3, "QU0010")]


def test_upgrade_left_to_hadolints_retired_rule_when_turned_on(lint):
    df = ("FROM debian:12\n"
          "USER nobody\n"
          "RUN apt-get update && apt-get -y upgrade\n")
    _, found = lint(df)
    assert [f["code"] for f in found if f["code"] in ("DL3005", "QU0004")] == ["QU0004"]
    _, found = lint(df, "override:\n  error: [DL3005]\n")
    assert [f["code"] for f in found if f["code"] in ("DL3005", "QU0004")] == ["DL3005"]
