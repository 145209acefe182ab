"""Configuration of quai lint: .hadolint.yaml where hadolint finds it, quai.yml's
lint section, HADOLINT_* variables, options, and which wins."""
import json
import os
import subprocess

import pytest

OK, FINDINGS, USAGE = 0, 1, 2


@pytest.fixture
def proj(tmp_path):
    """A project directory with an empty Dockerfile (one DL1000, no rules needed)
    and a home directory of its own."""
    d = tmp_path / "proj"
    d.mkdir()
    (d / "Dockerfile").write_text("")
    (tmp_path / "home").mkdir()
    return d


@pytest.fixture
def lint(quai_bin, tmp_path, proj):
    def run(*args, env=None, cwd=None):
        full = {k: v for k, v in os.environ.items()
                if not k.startswith("HADOLINT_") and k not in ("NO_COLOR", "XDG_CONFIG_HOME")}
        full["HOME"] = str(tmp_path / "home")
        full.update(env or {})
        return subprocess.run([quai_bin, "lint", *map(str, args)], cwd=cwd or proj, env=full,
                              capture_output=True, text=True, timeout=60)

    return run


def level_of(result):
    got = json.loads(result.stdout)
    assert len(got) == 1, got
    return got[0]["level"]


def out_format(result):
    s = result.stdout
    if s.startswith("["):
        return "json"
    if s.startswith("{"):
        return "sarif"
    if s.startswith("<?xml"):
        return "checkstyle"
    if ":1:1: error:" in s:
        return "gnu"
    return "tty"


# ---- the keys ----

@pytest.mark.parametrize("name", [".hadolint.yaml", ".hadolint.yml"])
def test_ignored_in_project_config(lint, proj, name):
    (proj / name).write_text("ignored:\n  - DL1000\n")
    r = lint("Dockerfile")
    assert (r.returncode, r.stdout) == (OK, "")


def test_yaml_wins_over_yml(lint, proj):
    (proj / ".hadolint.yaml").write_text("format: json\n")
    (proj / ".hadolint.yml").write_text("format: gnu\n")
    assert out_format(lint("Dockerfile")) == "json"


@pytest.mark.parametrize("level", ["error", "warning", "info", "style"])
def test_override(lint, proj, level):
    (proj / ".hadolint.yaml").write_text(f"override:\n  {level}:\n    - DL1000\n")
    assert level_of(lint("-f", "json", "Dockerfile")) == level


@pytest.mark.parametrize("threshold,status", [("error", FINDINGS), ("none", OK)])
def test_failure_threshold(lint, proj, threshold, status):
    (proj / ".hadolint.yaml").write_text(f"failure-threshold: {threshold}\noverride:\n  error: [DL1000]\n")
    assert lint("Dockerfile").returncode == status


def test_failure_threshold_below_level(lint, proj):
    (proj / ".hadolint.yaml").write_text("failure-threshold: warning\noverride:\n  info: [DL1000]\n")
    assert lint("Dockerfile").returncode == OK


def test_no_fail(lint, proj):
    (proj / ".hadolint.yaml").write_text("no-fail: true\n")
    r = lint("Dockerfile")
    assert r.returncode == OK and "DL1000" in r.stdout


def test_every_documented_key_is_accepted(lint, proj):
    (proj / ".hadolint.yaml").write_text(
        "failure-threshold: warning\n"
        "format: json\n"
        "ignored: [DL3000]\n"
        "label-schema:\n  author: text\n  contact: email\n  created: rfc3339\n  version: semver\n"
        "  documentation: url\n  git-revision: hash\n  license: spdx\n"
        "no-color: true\n"
        "no-fail: false\n"
        "override:\n  error: [DL3001]\n  warning: [DL3042]\n  info: [DL3032]\n  style: [DL3015]\n"
        "strict-labels: false\n"
        "disable-ignore-pragma: false\n"
        "trustedRegistries:\n  - docker.io\n  - \"*.gcr.io\"\n")
    r = lint("Dockerfile")
    assert r.returncode == FINDINGS, r.stderr
    assert json.loads(r.stdout)[0]["code"] == "DL1000"


def test_trusted_registries_as_string(lint, proj):
    (proj / ".hadolint.yaml").write_text("trustedRegistries: docker.io\n")
    assert lint("Dockerfile").returncode == FINDINGS


# ---- errors in the file ----

@pytest.mark.parametrize("text,needle", [
    ("ignored: [DL3000]\nignord: [DL3001]\n", ".hadolint.yaml:2:1: unknown key 'ignord'"),
    ("ignored: DL3000\n", ".hadolint.yaml:1:10: 'ignored' must be a list"),
    ("no-fail: sometimes\n", ".hadolint.yaml:1:10: 'no-fail' must be true or false"),
    ("override:\n  fatal: [DL3000]\n", ".hadolint.yaml:2:3: unknown level 'fatal'"),
    ("failure-threshold: [error]\n", ".hadolint.yaml:1:20: 'failure-threshold' must be a single value"),
    ("label-schema:\n  version: number\n", ".hadolint.yaml:2:12: unknown label type 'number'"),
    ("ignored: [DL3000\n", ".hadolint.yaml:2:1: invalid YAML"),
    ("just a string\n", ".hadolint.yaml:1:1: the configuration must be a mapping"),
])
def test_config_errors(lint, proj, text, needle):
    (proj / ".hadolint.yaml").write_text(text)
    r = lint("Dockerfile")
    assert r.returncode == USAGE
    assert r.stderr.startswith("quai: ")
    assert needle in r.stderr
    assert len(r.stderr.splitlines()) == 1
    assert r.stdout == ""


def test_empty_config_file(lint, proj):
    (proj / ".hadolint.yaml").write_text("")
    assert lint("Dockerfile").returncode == FINDINGS


# ---- where the file is found ----

def test_config_option(lint, proj, tmp_path):
    (proj / ".hadolint.yaml").write_text("ignored: [DL1000]\n")
    (tmp_path / "other.yaml").write_text("format: json\n")
    r = lint("--config", tmp_path / "other.yaml", "Dockerfile")
    assert r.returncode == FINDINGS  # the project file is not read
    assert out_format(r) == "json"
    r = lint("-c", tmp_path / "other.yaml", "Dockerfile")
    assert out_format(r) == "json"


def test_config_option_missing_file(lint, proj):
    r = lint("--config", "nope.yaml", "Dockerfile")
    assert r.returncode == USAGE
    assert "nope.yaml" in r.stderr and "does not exist" in r.stderr


def test_xdg_config_home(lint, proj, tmp_path):
    xdg = tmp_path / "xdg"
    xdg.mkdir()
    (xdg / "hadolint.yaml").write_text("format: json\n")
    assert out_format(lint("Dockerfile", env={"XDG_CONFIG_HOME": str(xdg)})) == "json"
    (proj / ".hadolint.yaml").write_text("format: gnu\n")
    assert out_format(lint("Dockerfile", env={"XDG_CONFIG_HOME": str(xdg)})) == "gnu"


def test_home_config(lint, proj, tmp_path):
    home = tmp_path / "home"
    (home / ".hadolint.yaml").write_text("format: checkstyle\n")
    assert out_format(lint("Dockerfile")) == "checkstyle"
    (home / ".config").mkdir()
    (home / ".config" / "hadolint.yaml").write_text("format: sarif\n")
    assert out_format(lint("Dockerfile")) == "sarif"


def test_only_the_first_config_file_is_read(lint, proj, tmp_path):
    (tmp_path / "home" / ".hadolint.yaml").write_text("ignored: [DL1000]\n")
    (proj / ".hadolint.yaml").write_text("format: json\n")
    assert lint("Dockerfile").returncode == FINDINGS


# ---- quai.yml ----

def test_quai_yml_lint_section(lint, proj):
    (proj / "quai.yml").write_text("images:\n  - name: x\nlint:\n  ignored: [DL1000]\n")
    assert lint("Dockerfile").returncode == OK


def test_quai_yml_adds_to_hadolint_yaml(lint, proj):
    (proj / ".hadolint.yaml").write_text("format: json\n")
    (proj / "quai.yml").write_text("lint:\n  override:\n    style: [DL1000]\n")
    assert level_of(lint("Dockerfile")) == "style"


def test_quai_yml_without_lint_section(lint, proj):
    (proj / "quai.yml").write_text("other: 1\n")
    assert lint("Dockerfile").returncode == FINDINGS


def test_quai_yml_errors(lint, proj):
    (proj / "quai.yml").write_text("lint:\n  ignore: [DL1000]\n")
    r = lint("Dockerfile")
    assert r.returncode == USAGE
    assert "quai.yml:2:3: unknown key 'ignore'" in r.stderr


# ---- environment ----

@pytest.mark.parametrize("env,status", [
    ({"HADOLINT_IGNORE": "DL3000,DL1000"}, OK),
    ({"HADOLINT_NOFAIL": "1"}, OK),
    ({"HADOLINT_NOFAIL": "true"}, OK),
    ({"HADOLINT_NOFAIL": "0"}, FINDINGS),
    ({"HADOLINT_FAILURE_THRESHOLD": "none"}, OK),
    ({"HADOLINT_FAILURE_THRESHOLD": "error"}, FINDINGS),
    ({"HADOLINT_OVERRIDE_INFO": "DL1000", "HADOLINT_FAILURE_THRESHOLD": "warning"}, OK),
    ({"HADOLINT_TRUSTED_REGISTRIES": "docker.io,quay.io"}, FINDINGS),
    ({"HADOLINT_REQUIRE_LABELS": "maintainer:text,version:semver"}, FINDINGS),
    ({"HADOLINT_STRICT_LABELS": "1", "HADOLINT_DISABLE_IGNORE_PRAGMA": "yes"}, FINDINGS),
    ({"HADOLINT_VERBOSE": "1"}, FINDINGS),
])
def test_env(lint, env, status):
    assert lint("Dockerfile", env=env).returncode == status


@pytest.mark.parametrize("level", ["error", "warning", "info", "style"])
def test_env_override(lint, level):
    r = lint("-f", "json", "Dockerfile", env={f"HADOLINT_OVERRIDE_{level.upper()}": "DL1000"})
    assert level_of(r) == level


def test_env_format(lint):
    assert out_format(lint("Dockerfile", env={"HADOLINT_FORMAT": "json"})) == "json"


@pytest.mark.parametrize("env,needle", [
    ({"HADOLINT_FAILURE_THRESHOLD": "loud"}, "HADOLINT_FAILURE_THRESHOLD"),
    ({"HADOLINT_FORMAT": "xml"}, "HADOLINT_FORMAT"),
    ({"HADOLINT_REQUIRE_LABELS": "version"}, "HADOLINT_REQUIRE_LABELS"),
])
def test_env_errors(lint, env, needle):
    r = lint("Dockerfile", env=env)
    assert r.returncode == USAGE
    assert needle in r.stderr


# ---- precedence: file < environment < options ----

def test_env_beats_file(lint, proj):
    (proj / ".hadolint.yaml").write_text("format: gnu\nfailure-threshold: none\n")
    r = lint("Dockerfile", env={"HADOLINT_FORMAT": "json", "HADOLINT_FAILURE_THRESHOLD": "error"})
    assert out_format(r) == "json" and r.returncode == FINDINGS


def test_option_beats_env(lint):
    r = lint("--format", "gnu", "-t", "none", "Dockerfile",
             env={"HADOLINT_FORMAT": "json", "HADOLINT_FAILURE_THRESHOLD": "error"})
    assert out_format(r) == "gnu" and r.returncode == OK


def test_option_override_beats_file_override(lint, proj):
    (proj / ".hadolint.yaml").write_text("override:\n  style: [DL1000]\n")
    assert level_of(lint("-f", "json", "--warning", "DL1000", "Dockerfile")) == "warning"


def test_lists_add_up(lint, proj):
    (proj / ".hadolint.yaml").write_text("ignored: [DL3000]\n")
    r = lint("Dockerfile", env={"HADOLINT_IGNORE": "DL3001"})
    assert r.returncode == FINDINGS
    r = lint("--ignore", "DL1000", "Dockerfile", env={"HADOLINT_IGNORE": "DL3001"})
    assert r.returncode == OK


def test_verbose_says_what_it_reads(lint):
    r = lint("-V", "Dockerfile")
    assert "Dockerfile" in r.stderr
