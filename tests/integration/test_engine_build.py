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


def build_on_pty(quai_bin, engine_host, ctx, cols=100, extra=()):
    """Runs quai build with stdout and stderr on a pseudo-terminal of `cols`
    columns; returns (exit status, everything written to the terminal)."""
    import fcntl
    import os
    import pty
    import select
    import struct
    import termios
    import time

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
    env = dict(os.environ, DOCKER_HOST=engine_host, HOME="/nonexistent")
    env.pop("NO_COLOR", None)
    p = subprocess.Popen([quai_bin, "build", *extra, str(ctx)], stdin=slave, stdout=slave, stderr=slave,
                         env=env, close_fds=True)
    os.close(slave)
    out = b""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the terminal's last writer is gone
                break
            if not chunk:
                break
            out += chunk
        elif p.poll() is not None:
            break
    os.close(master)
    return p.wait(timeout=30), out.decode("utf-8", "replace")


STATUS = re.compile(r"\r\x1b\[K\[\s*(\d+\.\d)s\] (.*?) \((\d+\.\d)s\)")


def test_terminal_progress_view(quai_bin, engine_host, base_image, tmp_path):
    """On a terminal: one status line with the build's elapsed time, the
    current step and the time in it, cut to the terminal's width; the steps'
    output is not printed when the build succeeds."""
    long_arg = "x" * 150
    d = write(tmp_path, {"Dockerfile": f"FROM {base_image}\nUSER 1000\n"
                                       "RUN echo quiet-output-line && sleep 1.5\n"
                                       f"RUN echo {long_arg} > /dev/null\n"})
    status, out = build_on_pty(quai_bin, engine_host, d, cols=70, extra=("--no-cache",))
    assert status == 0, out
    shown = STATUS.findall(out)
    steps = [s for _, s, _ in shown]
    assert any(re.match(r"Step 3/\d+ : RUN echo quiet-output-line", s) for s in steps), out
    # while step 3 sleeps, its line is refreshed with growing times, at most ten times a second
    t3 = [(float(t), float(st)) for t, s, st in shown if s.startswith("Step 3/")]
    assert len(t3) >= 2 and t3[-1][1] >= 1.0 and t3[-1][0] >= t3[-1][1], out
    assert len(shown) < 10 * float(shown[-1][0]) + 20, out
    long_lines = [s for s in steps if s.startswith("Step 4/")]
    assert long_lines and all(s.endswith("...") for s in long_lines), out
    for m in STATUS.finditer(out):
        assert len(m.group(0)) - 4 <= 69, m.group(0)
    assert "quiet-output-line\r\n" not in out
    assert re.search(r"built sha256:[0-9a-f]{64} \(\d+\.\d MB\) in \d+\.\ds", out), out


def test_terminal_failed_step_with_output(quai_bin, engine_host, base_image, tmp_path):
    """On a terminal, a failing step is named with its output after the status line is cleared."""
    d = write(tmp_path, {"Dockerfile": f"FROM {base_image}\nUSER 1000\n"
                                       "RUN echo first-out && echo second-out && exit 3\n"})
    status, out = build_on_pty(quai_bin, engine_host, d)
    assert status == 1, out
    m = re.search(r"\r\x1b\[Kquai: failed at Step 3/\d+ : RUN echo first-out && echo second-out && exit 3\r\n"
                  r"(.*?)quai: build", out, re.S)
    assert m, out
    assert "first-out\r\nsecond-out\r\n" in m.group(1), out
    assert "returned a non-zero code: 3" in out
