"""quai lint --shellcheck against the real shellcheck."""
import json
import os
import shutil
import subprocess

import pytest

OK, FINDINGS, USAGE = 0, 1, 2


@pytest.fixture
def lint(quai_bin, tmp_path):
    def run(*args, env=None):
        full = {k: v for k, v in os.environ.items() if not k.startswith("HADOLINT_")}
        full["HOME"] = str(tmp_path)
        full.update(env or {})
        return subprocess.run([quai_bin, "lint", *map(str, args)], cwd=tmp_path, env=full,
                              capture_output=True, text=True, timeout=120)

    return run


@pytest.fixture(scope="session")
def parser_ready(quai_bin):
    r = subprocess.run([quai_bin, "lint", "-f", "json", "-"], input="FROM alpine:3.19\nRUN true\n",
                       capture_output=True, text=True)
    return r.returncode in (0, 1) and not [f for f in json.loads(r.stdout) if f["code"] == "DL1000"]


@pytest.fixture
def needs_shellcheck(parser_ready):
    if not shutil.which("shellcheck"):
        pytest.skip("shellcheck is not installed")
    if not parser_ready:
        pytest.skip("the Dockerfile parser is not merged yet")


def sc(result):
    return [(f["file"], f["line"], f["column"], f["code"], f["level"])
            for f in json.loads(result.stdout) if f["code"].startswith("SC")]


def test_missing_shellcheck_is_a_usage_error(lint, tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.19\nRUN echo $1\n")
    r = lint("--shellcheck", "Dockerfile", env={"PATH": str(tmp_path / "nowhere")})
    assert r.returncode == USAGE
    assert "shellcheck" in r.stderr and "not installed" in r.stderr
    assert len(r.stderr.splitlines()) == 1


def test_off_by_default(lint, tmp_path, needs_shellcheck):
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.19\nRUN echo $1\n")
    assert sc(lint("-f", "json", "Dockerfile")) == []


def test_shell_form_positions(lint, tmp_path, needs_shellcheck):
    (tmp_path / "Dockerfile").write_text(
        "FROM alpine:3.19\n"
        "RUN echo $1 && \\\n"
        "    # docker drops this comment\n"
        "    echo $2\n")
    r = lint("-f", "json", "--shellcheck", "Dockerfile")
    got = sc(r)
    assert ("Dockerfile", 2, 10, "SC2086", "info") in got
    assert ("Dockerfile", 4, 10, "SC2086", "info") in got
    assert r.returncode == FINDINGS


def test_heredoc_and_several_files(lint, tmp_path, needs_shellcheck):
    (tmp_path / "a.Dockerfile").write_text("FROM alpine:3.19\nRUN <<EOF\nset -e\necho $1\nEOF\n")
    (tmp_path / "b.Dockerfile").write_text("FROM alpine:3.19\nSHELL [\"/bin/bash\", \"-c\"]\nRUN echo $1\n")
    got = sc(lint("-f", "json", "--shellcheck", "a.Dockerfile", "b.Dockerfile"))
    assert ("a.Dockerfile", 4, 6, "SC2086", "info") in got
    assert ("b.Dockerfile", 3, 10, "SC2086", "info") in got


def test_ignores_apply(lint, tmp_path, needs_shellcheck):
    (tmp_path / "Dockerfile").write_text(
        "FROM alpine:3.19\n# hadolint ignore=SC2086\nRUN echo $1\nRUN echo $2\n")
    got = sc(lint("-f", "json", "--shellcheck", "Dockerfile"))
    assert [g[1] for g in got if g[3] == "SC2086"] == [4]
    got = sc(lint("-f", "json", "--shellcheck", "--ignore", "SC2086", "Dockerfile"))
    assert got == []
    got = sc(lint("-f", "json", "--shellcheck", "--error", "SC2086", "Dockerfile"))
    assert [g[4] for g in got] == ["error"]


def test_exec_form_and_powershell_are_not_checked(lint, tmp_path, needs_shellcheck):
    (tmp_path / "Dockerfile").write_text(
        "FROM alpine:3.19\nRUN [\"sh\", \"-c\", \"echo $1\"]\nSHELL [\"pwsh\", \"-c\"]\nRUN echo $x\n")
    assert sc(lint("-f", "json", "--shellcheck", "Dockerfile")) == []
