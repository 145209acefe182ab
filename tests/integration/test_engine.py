"""The engine client against a real Docker engine and registry (the test
environment, scripts/testenv.sh): build, run, exec, archive, ports, push,
clean-up."""
import json
import os
import subprocess
import tarfile
import time
import urllib.request

import pytest

from engine_env import base_image, engine_host, probe, probe_bin, run_id, tar_of  # noqa: F401


def build(probe, tmp_path, dockerfile, *args, files=()):
    ctx = tmp_path / "ctx.tar"
    ctx.write_bytes(tar_of([("Dockerfile", dockerfile.encode(), 0o644), *files]))
    return probe("build", ctx, *args, check=False, timeout=300)


def test_ping(probe):
    r = probe("ping")
    version = r.stdout.split()[1]
    major, minor = map(int, version.split("."))
    assert (major, minor) >= (1, 24) and (major, minor) <= (1, 43)


def test_build_with_options(probe, base_image, tmp_path, run_id):
    tag = f"quai-test-engine/opts:{run_id}"
    df = (f"FROM {base_image} AS wanted\nARG GREETING=none\nRUN echo \"greeting=$GREETING\" > /greeting\n"
          f"FROM {base_image} AS later\nRUN echo stage-after-target\n")
    r = build(probe, tmp_path, df, "-t", tag, "--target", "wanted", "--build-arg", "GREETING=hello world",
              "--label", "org.example.k=v 1", "--no-cache")
    assert r.returncode == 0, r.stderr
    assert "stage-after-target" not in r.stdout
    image_id = r.stdout.splitlines()[-1].split()[1]
    info = json.loads(probe("inspect", tag).stdout)
    assert info["Id"] == image_id
    assert info["Config"]["Labels"]["org.example.k"] == "v 1"
    out = tmp_path / "greeting.tar"
    probe("archive", tag, "/greeting", out)
    with tarfile.open(out) as t:
        assert t.extractfile("greeting").read() == b"greeting=hello world\n"
    probe("rmi", tag)


def test_build_failing_step(probe, base_image, tmp_path):
    r = build(probe, tmp_path, f"FROM {base_image}\nRUN echo before-failing; exit 7\n")
    assert r.returncode == 1
    assert "before-failing" in r.stdout
    assert "returned a non-zero code: 7" in r.stderr


def test_build_bad_dockerfile_name(probe, base_image, tmp_path):
    r = build(probe, tmp_path, f"FROM {base_image}\n", "-f", "Nope.Dockerfile")
    assert r.returncode == 2
    assert "the Docker engine answered" in r.stderr and "Nope.Dockerfile" in r.stderr


def test_run_exit_code_and_streams(probe, base_image, run_id):
    r = probe("run", base_image, run_id, 30000, "sh", "-c", "echo to-out; echo to-err >&2; exit 3")
    assert r.stdout == "to-out\nEXIT 3\n"
    assert r.stderr == "to-err\n"


def test_run_large_output(probe, base_image, run_id):
    r = probe("run", base_image, run_id, 60000, "sh", "-c", "seq 1 50000")
    lines = r.stdout.splitlines()
    assert lines[:-1] == [str(i) for i in range(1, 50001)]


def test_wait_timeout(probe, base_image, run_id):
    r = probe("run", base_image, run_id, 500, "sleep", "30", check=False)
    assert r.returncode == 2
    assert "timed out after 500 ms" in r.stderr


def test_exec(probe, base_image, run_id):
    r = probe("exec", base_image, run_id, "sh", "-c", "echo in-exec; exit 4")
    assert r.stdout == "in-exec\nEXIT 4\n"


def test_archive_stat_and_missing(probe, base_image, tmp_path):
    out = tmp_path / "bb.tar"
    r = probe("archive", base_image, "/bin/busybox", out)
    stat = json.loads(r.stdout.split(" ", 1)[1])
    assert stat["name"] == "busybox" and stat["mode"] & 0o111
    with tarfile.open(out) as t:
        assert t.getnames() == ["busybox"]
    r = probe("archive", base_image, "/no/such/file", out, check=False)
    assert r.returncode == 1
    assert "/no/such/file" in r.stderr


def test_published_port_answers(probe, probe_bin, engine_host, base_image, run_id):
    net = f"quai-test-net-{run_id}"
    r = probe("network", net, run_id, check=False)
    if r.returncode != 0:
        pytest.fail(f"no bridge network on this engine: {r.stderr}", pytrace=False)
    try:
        args = [base_image, run_id, "8080/tcp", net, "sh", "-c", "echo quai-ok > /index.html; httpd -f -p 8080 -h /"]
        proc = subprocess.Popen([probe_bin, "port", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env={**os.environ, "DOCKER_HOST": engine_host})
        state = proc.stdout.readline()
        port_line = proc.stdout.readline()
        assert state.startswith("STATE running"), proc.stderr.read()
        port = int(port_line.split()[1])
        assert port > 0
        body = None
        for _ in range(50):
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        proc.communicate("\n", timeout=60)
        assert body == b"quai-ok\n"
        assert proc.returncode == 0
    finally:
        probe("gc", f"io.quai.run={run_id}")


def test_push(probe, base_image, run_id, registry):
    reg, user, password = registry["host"], registry["user"], registry["password"]
    ref = f"{reg}/quai/engine-test:{run_id}"
    probe("tag", base_image, ref)
    try:
        r = probe("push", ref, user, password, reg)
        digest = r.stdout.splitlines()[-1].split()[1]
        assert digest.startswith("sha256:")
        bad = probe("push", ref, user, password + "-wrong", reg, check=False)
        assert bad.returncode == 1
        assert "unauthorized" in bad.stderr or "authentication" in bad.stderr
    finally:
        probe("rmi", ref, check=False)


def test_nothing_left_behind(probe, run_id):
    """Runs last in this file: every container and network of the run is gone."""
    for kind in ("containers", "networks", "volumes"):
        assert probe("list", kind, f"io.quai.run={run_id}").stdout == ""
