"""`quai build DIR` against a real Docker engine: options, .dockerignore, OCI
labels, lint first, heredocs refused, failing steps, no engine."""
import json
import re
import subprocess
import tarfile

import pytest

from engine_env import base_image, engine_host, probe, probe_bin, run_id, tar_of  # noqa: F401


@pytest.fixture
def qbuild(quai, engine_host):
    def run(*args, env=None, **kw):
        return quai("build", *args, env={"DOCKER_HOST": engine_host, "HOME": "/nonexistent", **(env or {})},
                    timeout=300, **kw)

    return run


def write(d, files):
    for name, text in files.items():
        p = d / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return d


def labels(probe, ref):
    return json.loads(probe("inspect", ref).stdout)["Config"]["Labels"] or {}


def test_build_tags_labels_args_target(qbuild, probe, base_image, run_id, tmp_path):
    tag = f"quai-test-build/app:{run_id}"
    d = write(tmp_path, {"Dockerfile": f"FROM {base_image} AS app\nARG WHO=nobody\n"
                                       "RUN echo \"hello $WHO\" > /who\nUSER 1000\n"
                                       f"FROM {base_image} AS other\nRUN echo other-stage\n"})
    r = qbuild("-t", tag, "-t", tag + "-b", "--build-arg", "WHO=quai", "--label", "org.example.team=ci",
               "--target", "app", "--log", tmp_path / "build.log", d)
    assert r.returncode == 0, r.stderr
    assert "other-stage" not in r.stdout
    assert f"tagged {tag}\n" in r.stdout and f"tagged {tag}-b\n" in r.stdout
    built = [line for line in r.stdout.splitlines() if line.startswith("built sha256:")]
    assert len(built) == 1 and "MB" in built[0]
    lab = labels(probe, tag)
    assert lab["org.example.team"] == "ci"
    assert lab["org.opencontainers.image.created"].endswith("Z")
    assert "org.opencontainers.image.revision" not in lab
    out = tmp_path / "who.tar"
    probe("archive", tag, "/who", out)
    with tarfile.open(out) as t:
        assert t.extractfile("who").read() == b"hello quai\n"
    assert "RUN echo \"hello $WHO\"" in (tmp_path / "build.log").read_text()
    probe("rmi", tag)
    probe("rmi", tag + "-b")


def test_dockerignore_and_git_labels(qbuild, probe, base_image, run_id, tmp_path):
    tag = f"quai-test-build/ignore:{run_id}"
    d = write(tmp_path / "repo", {"img/Dockerfile": f"FROM {base_image}\nUSER 1000\nCOPY . /ctx/\n",
                                  "img/keep.txt": "kept\n", "img/secret.env": "x\n",
                                  "img/logs/a.log": "x\n", "img/.dockerignore": "*.env\nlogs\n"})
    git = ["git", "-C", str(d), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "remote", "add", "origin", "https://git.example.com/ops/dockers.git"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "init"], check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    r = qbuild("-t", tag, "--label", "org.opencontainers.image.source=mine", d / "img")
    assert r.returncode == 0, r.stderr
    lab = labels(probe, tag)
    assert lab["org.opencontainers.image.revision"] == head
    assert lab["org.opencontainers.image.source"] == "mine"
    out = tmp_path / "ctx.tar"
    probe("archive", tag, "/ctx", out)
    with tarfile.open(out) as t:
        names = sorted(n for n in t.getnames())
    assert "ctx/keep.txt" in names and "ctx/Dockerfile" in names
    assert not any("secret.env" in n or "logs" in n for n in names)
    probe("rmi", tag)


def test_failing_step_is_reported(qbuild, base_image, tmp_path):
    d = write(tmp_path, {"Dockerfile": f"FROM {base_image}\nUSER 1000\nRUN echo about-to-fail && exit 5\n"
                                       "RUN echo never-reached\n"})
    r = qbuild(d)
    assert r.returncode == 1
    assert "about-to-fail" in r.stdout and "never-reached" not in r.stdout
    assert re.search(r"quai: failed at Step 3/\d+ : RUN echo about-to-fail && exit 5\n", r.stderr)
    assert "returned a non-zero code: 5" in r.stderr


def test_lint_errors_stop_the_build(qbuild, base_image, tmp_path):
    d = write(tmp_path, {"Dockerfile": f"FROM {base_image}\nUSER 1000\nMAINTAINER someone\n"})
    r = qbuild(d)
    assert r.returncode == 1
    assert "DL4000" in r.stderr and "lint error" in r.stderr and "--no-lint" in r.stderr
    assert "Step 1/" not in r.stdout
    r = qbuild("--no-lint", d)
    assert r.returncode == 0, r.stderr


def test_heredoc_refused_clearly(qbuild, base_image, tmp_path):
    d = write(tmp_path, {"Dockerfile": f"FROM {base_image}\nUSER 1000\nRUN <<EOF\necho hi\nEOF\n"})
    r = qbuild(d)
    assert r.returncode == 1
    assert "Dockerfile:3: a heredoc (RUN <<...) needs BuildKit" in r.stderr


def test_dockerfile_option_outside_context(qbuild, base_image, tmp_path):
    ctx = write(tmp_path / "ctx", {"f.txt": "x\n"})
    df = write(tmp_path, {"other.Dockerfile": f"FROM {base_image}\nUSER 1000\nCOPY f.txt /f.txt\n"})
    r = qbuild("-f", df / "other.Dockerfile", ctx)
    assert r.returncode == 0, r.stderr


def test_no_engine(quai, tmp_path):
    d = write(tmp_path, {"Dockerfile": "FROM scratch\nCOPY a /a\n", "a": "x"})
    r = quai("build", d, env={"DOCKER_HOST": f"unix://{tmp_path}/none.sock"})
    assert r.returncode == 2
    assert f"no Docker engine at unix://{tmp_path}/none.sock: start one with `dockerd` or set DOCKER_HOST" in r.stderr


def test_usage_errors(quai, tmp_path):
    assert quai("build").returncode == 2
    r = quai("build", "--label", "novalue", tmp_path)
    assert r.returncode == 2 and "KEY=VALUE" in r.stderr
    r = quai("build", tmp_path / "missing")
    assert r.returncode == 2


def test_engine_dies_mid_build(quai, tmp_path):
    """A scripted engine that drops the connection after the first step."""
    import socket

    from engine_fake import FakeEngine

    def build(h):
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        msg = b'{"stream":"Step 1/2 : FROM scratch\\n"}\r\n'
        h.wfile.write(b"%x\r\n%s\r\n" % (len(msg), msg))
        h.wfile.flush()
        h.connection.shutdown(socket.SHUT_RDWR)
        h.close_connection = True

    d = write(tmp_path / "ctx", {"Dockerfile": "FROM scratch\nCOPY a /a\n", "a": "x"})
    sock = tmp_path / "engine.sock"
    with FakeEngine(str(sock)) as fake:
        fake.routes[("POST", "/build")] = build
        r = quai("build", "--no-lint", d, env={"DOCKER_HOST": f"unix://{sock}"})
    assert r.returncode == 2
    assert "Step 1/2 : FROM scratch" in r.stdout
    assert f"the connection to the Docker engine at unix://{sock} dropped (did the engine stop?)" in r.stderr
    body = fake.requests[-1][3]
    assert b"Dockerfile" in body and len(body) % 512 == 0
