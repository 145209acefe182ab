"""quai compose config against Debian's docker-compose (1.29) `config`: the
same accept/reject decision and the same resolved values, on the
awesome-compose corpus and on tests/data/compose/{valid,invalid}.

Files whose header says `# docker-compose: accept` are intended
differences (checks quai makes at `config` time that docker-compose 1.29
makes only at `up`, or not at all; see docs/compose.md)."""
import hashlib
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


# docker-compose takes about half a second of CPU per file: its answers are
# kept in a cache keyed by everything they depend on (its own files, the
# project directory's files and tree, the variables the files name), so a
# second run costs nothing unless something changed.
CACHE = pathlib.Path(os.environ.get("QUAI_COMPOSE_REF_CACHE",
                                    pathlib.Path.home() / ".cache" / "quai" / "docker-compose-config"))


def _cache_key(cwd, files):
    h = hashlib.sha256()
    exe = shutil.which("docker-compose")
    for marker in (exe, "/usr/lib/python3/dist-packages/compose/__init__.py"):
        if marker and os.path.exists(marker):
            st = os.stat(marker)
            h.update(f"{marker}:{st.st_size}:{st.st_mtime_ns}".encode())
    h.update(repr((str(cwd), files)).encode())
    env = _env()
    for root, dirs, names in os.walk(cwd):
        dirs.sort()
        h.update(root.encode())
        for n in sorted(names):
            path = os.path.join(root, n)
            h.update(n.encode())
            if root == str(cwd) and os.path.isfile(path) and os.path.getsize(path) < (1 << 20):
                data = pathlib.Path(path).read_bytes()
                h.update(data)
                for var in sorted(set(re.findall(rb"\$\{?([A-Za-z_][A-Za-z0-9_]*)", data))):
                    h.update(var + b"=" + env.get(var.decode(), "\0unset").encode())
    h.update(env.get("HOME", "").encode())
    return h.hexdigest()


def _docker_compose(cwd, files):
    key = _cache_key(cwd, files)
    cached = CACHE / f"{key}.json"
    if cached.exists():
        try:
            return tuple(json.loads(cached.read_text()))
        except ValueError:
            pass
    args = ["docker-compose"]
    for f in files:
        args += ["-f", f]
    p = subprocess.run(args + ["config"], cwd=cwd, capture_output=True, text=True, env=_env(), timeout=60)
    result = (p.returncode, p.stdout, p.stderr)
    try:
        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(result))
        tmp.replace(cached)
    except OSError:
        pass
    return result


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


def test_output_reads_back_as_the_same_model(quai_bin, corpus, tmp_path):
    """quai compose config's output, loaded again, prints the same model
    (YAML and JSON), for every corpus file and every valid case."""
    projects = _corpus_projects(corpus)
    projects += [(DATA / "valid" / c, ["compose.yaml"]) for c in VALID]
    quai = os.path.abspath(quai_bin)
    for cwd, files in projects:
        first = subprocess.run([quai, "compose", "-f", files[0], "config"], cwd=cwd, capture_output=True,
                               text=True, env=_env(), timeout=30)
        assert first.returncode == 0, (cwd, first.stderr)
        again_file = tmp_path / "again.yaml"
        again_file.write_text(first.stdout)
        again = subprocess.run([quai, "compose", "-f", str(again_file), "config"], cwd=cwd, capture_output=True,
                               text=True, env=_env(), timeout=30)
        assert again.returncode == 0, (cwd, again.stderr)
        assert again.stdout == first.stdout, cwd
        as_json = subprocess.run([quai, "compose", "-f", str(again_file), "config", "--format", "json"], cwd=cwd,
                                 capture_output=True, text=True, env=_env(), timeout=30)
        assert json.loads(as_json.stdout) == yaml.safe_load(first.stdout), cwd


def test_cli_options_and_exit_codes(quai, tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx:${TAG:-latest}\n")
    (tmp_path / ".env").write_text("TAG=from-dotenv\n")
    (tmp_path / "ci.env").write_text("TAG=from-ci\n")
    env = {"TAG": ""}
    r = quai("compose", "config", "--format", "json", cwd=tmp_path, env={"PATH": os.environ["PATH"]})
    assert r.returncode == 0, r.stderr
    model = json.loads(r.stdout)
    assert model["services"]["web"]["image"] == "nginx:from-dotenv"
    assert model["name"] == tmp_path.name.lower().replace(".", "")
    r = quai("compose", "--env-file", tmp_path / "ci.env", "-p", "Proj_1", "config", "--format", "json",
             cwd=tmp_path, env={"PATH": os.environ["PATH"]})
    assert r.returncode == 0, r.stderr
    model = json.loads(r.stdout)
    assert model["services"]["web"]["image"] == "nginx:from-ci"
    assert model["name"] == "proj_1"
    # the environment wins over .env; an empty value is a value for ${TAG-x} only
    r = quai("compose", "config", cwd=tmp_path, env=env)
    assert "image: nginx:latest" in r.stdout
    r = quai("compose", "config", "-q", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout == ""
    # findings: exit 1, nothing on stdout, file:line:col on stderr
    (tmp_path / "bad.yaml").write_text("services:\n  web:\n    image: x\n    ports: ['99999:80']\n")
    r = quai("compose", "-f", "bad.yaml", "config", cwd=tmp_path)
    assert r.returncode == 1 and r.stdout == ""
    assert "bad.yaml:4:" in r.stderr and "QC1000 services.web.ports[0]" in r.stderr
    # usage and unreadable files: exit 2
    assert quai("compose", cwd=tmp_path).returncode == 2
    assert quai("compose", "up", cwd=tmp_path).returncode == 2
    assert quai("compose", "config", "--format", "toml", cwd=tmp_path).returncode == 2
    assert quai("compose", "-f", "missing.yaml", "config", cwd=tmp_path).returncode == 2
    r = quai("compose", "--project-directory", tmp_path, "config", "--format", "json", cwd="/")
    assert r.returncode == 0 and json.loads(r.stdout)["services"]["web"]["image"] == "nginx:from-dotenv"
