"""quai compose config against Debian's docker-compose (1.29) `config`: the
same accept/reject decision and the same resolved values, on the
awesome-compose corpus and on tests/data/compose/{valid,invalid}.

Files whose header says `# docker-compose: accept` are intended
differences (checks quai makes at `config` time that docker-compose 1.29
makes only at `up`, or not at all; see docs/compose.md)."""
import json
import os
import pathlib
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

import compose_norm

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "compose"

# Corpus files docker-compose 1.29 rejects because they use what the
# Compose Specification added after it (top-level `name`).
NEWER_SPEC = {"react-rust-postgres"}

ENV = {"QUAI_TEST_UNSET_TAG": None, "QUAI_TEST_UNSET_VAR": None}


def _env():
    env = dict(os.environ)
    for k in ENV:
        env.pop(k, None)
    env.pop("COMPOSE_FILE", None)
    env.pop("COMPOSE_PROJECT_NAME", None)
    return env


def _docker_compose(cwd, files):
    args = ["docker-compose"]
    for f in files:
        args += ["-f", f]
    p = subprocess.run(args + ["config"], cwd=cwd, capture_output=True, text=True, env=_env(), timeout=60)
    return p.returncode, p.stdout, p.stderr


def _quai(quai_bin, cwd, files):
    args = [os.path.abspath(quai_bin), "compose"]
    for f in files:
        args += ["-f", f]
    p = subprocess.run(args + ["config", "--format", "json"], cwd=cwd, capture_output=True, text=True,
                       env=_env(), timeout=30)
    return p.returncode, p.stdout, p.stderr


@pytest.fixture(scope="module")
def docker_compose():
    if not shutil.which("docker-compose"):
        pytest.skip("docker-compose (Debian's 1.29) is not installed")


def _corpus_projects(corpus):
    base = corpus / "compose" / "awesome-compose"
    if not base.is_dir():
        pytest.skip("no awesome-compose corpus")
    out = []
    for d in sorted(base.iterdir()):
        files = sorted(f.name for f in d.glob("*compose*.y*ml")) if d.is_dir() else []
        if files:
            out.append((d, [files[0]]))
    return out


def _compare(quai_bin, cwd, files):
    with ThreadPoolExecutor(max_workers=1) as ex:
        dc_future = ex.submit(_docker_compose, cwd, files)
        q = _quai(quai_bin, cwd, files)
        dc = dc_future.result()
    return dc, q


def _diff(dc_out, q_out):
    dc = yaml.safe_load(dc_out)
    qm = json.loads(q_out)
    a = compose_norm.model(dc, qm)
    b = compose_norm.model(qm, dc)
    return a, b


def test_corpus_agrees_with_docker_compose(docker_compose, quai_bin, corpus):
    projects = _corpus_projects(corpus)
    assert len(projects) == 39
    with ThreadPoolExecutor(max_workers=3) as ex:
        results = list(ex.map(lambda p: (p, _docker_compose(p[0], p[1]), _quai(quai_bin, p[0], p[1])), projects))
    mismatches = []
    for (d, files), dc, q in results:
        if d.name in NEWER_SPEC:
            assert dc[0] != 0 and "name" in dc[2], d.name
            assert q[0] == 0, (d.name, q[2])
            continue
        assert dc[0] == 0, (d.name, dc[2])
        assert q[0] == 0, (d.name, q[2])
        a, b = _diff(dc[1], q[1])
        if a != b:
            mismatches.append((d.name, a, b))
    assert not mismatches, mismatches[:2]


VALID = sorted(p.name for p in (DATA / "valid").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", VALID)
def test_valid_cases(docker_compose, quai_bin, case):
    cwd = DATA / "valid" / case
    files = ["compose.yaml"]
    if (cwd / "compose.override.yaml").exists():
        files.append("compose.override.yaml")
    dc, q = _compare(quai_bin, cwd, files)
    assert q[0] == 0, q[2]
    if case == "newer-spec":
        assert dc[0] != 0  # 1.29 knows neither name, include, !reset nor ${VAR:+x}
        return
    assert dc[0] == 0, dc[2]
    a, b = _diff(dc[1], q[1])
    assert a == b


INVALID = sorted(p.name for p in (DATA / "invalid").glob("*.yml"))


def _header(path):
    text = path.read_text()
    m = re.search(r"^# expect: (\d+) (.*)$", text, re.M)
    d = re.search(r"^# docker-compose: (accept|reject)$", text, re.M)
    return int(m.group(1)), m.group(2), d.group(1)


@pytest.mark.parametrize("case", INVALID)
def test_invalid_cases(docker_compose, quai_bin, case):
    path = DATA / "invalid" / case
    line, message, dc_expect = _header(path)
    dc, q = _compare(quai_bin, path.parent, [case])
    assert q[0] == 1, q
    assert f"{case}:{line}:" in q[2], q[2]
    assert message in q[2], q[2]
    assert (dc[0] == 0) == (dc_expect == "accept"), dc


def test_invalid_cases_are_a_dozen_or_more():
    assert len(INVALID) >= 12
    rejected = [c for c in INVALID if _header(DATA / "invalid" / c)[2] == "reject"]
    assert len(rejected) >= 12
