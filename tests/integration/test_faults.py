"""Faults against the real quai binary that other files do not cover, and
`quai gc`. Each fault must give a short, specific error, a non-zero exit and
leave nothing behind.

Where each fault of issue 3 is covered:
- no engine at the socket: test_engine_build.py::test_no_engine (build),
  here test_no_engine_any_command (gc, test, push)
- permission denied on the socket: here test_permission_denied_on_socket
  (the engine client alone: test_engine_faults.py)
- the engine dying mid-build: test_engine_build.py::test_engine_dies_mid_build
- a step failing: test_engine_build.py::test_failing_step_is_reported, here
  test_failing_step_leaves_no_container
- a context over a size limit: here test_context_over_limit
- a registry that is down: test_quai_push.py::test_registry_down
- a registry refusing the credentials: test_quai_push.py::test_wrong_password_refused,
  ::test_login_wrong_password, ::test_no_credentials
- a registry that is not TLS while its name implies it: here test_registry_not_tls
- a test spec with YAML errors or unknown keys: test_quai_test.py::test_spec_errors
- a container that never becomes healthy: test_quai_test.py::test_never_healthy
- a container that exits early: test_quai_test.py::test_exits_early
- a killed run: test_quai_test.py::test_sigterm_cleans_up and here test_gc_*
"""
import json
import os
import shutil
import socket
import subprocess
import threading
import http.server
import urllib.parse
import uuid

import pytest

from testenv import engine_request, wait_until


def ids(env, path, key="Id"):
    status, body = engine_request(env, "GET", path)
    assert status == 200, body
    data = json.loads(body)
    if isinstance(data, dict):
        data = data.get("Volumes") or []
    return {o[key] for o in data}


def everything(env):
    return (ids(env, "/containers/json?all=1"), ids(env, "/networks"), ids(env, "/volumes", "Name"))


@pytest.fixture
def q(quai, docker_env):
    def run(*args, **kw):
        env = {"DOCKER_HOST": docker_env["DOCKER_HOST"]}
        env.update(kw.pop("env", {}))
        r = quai(*args, env=env, timeout=kw.pop("timeout", 120), **kw)
        assert "Sanitizer" not in r.stderr, r.stderr
        return r

    return run


# ---- quai gc ----

def test_gc_removes_labelled_keeps_the_rest(q, docker_env, docker_cli, busybox_image):
    tag = uuid.uuid4().hex[:8]
    run_label = f"io.quai.run=gc-{tag}"
    running = docker_cli("run", "-d", "--label", run_label, busybox_image, "sleep", "300", check=True).stdout.strip()
    stopped = docker_cli("create", "--label", run_label, busybox_image, "true", check=True).stdout.strip()
    # the test images carry io.quai.test.* labels, which their containers
    # inherit: only io.quai.run marks what quai created
    plain = docker_cli("create", "--label", "io.quai.other=1", busybox_image, "true", check=True).stdout.strip()
    net = docker_cli("network", "create", "--label", run_label, f"gc-net-{tag}", check=True).stdout.strip()
    plain_net = docker_cli("network", "create", f"gc-plain-{tag}", check=True).stdout.strip()
    vol = docker_cli("volume", "create", "--label", run_label, f"gc-vol-{tag}", check=True).stdout.strip()
    plain_vol = docker_cli("volume", "create", f"gc-plain-{tag}", check=True).stdout.strip()
    try:
        dry = q("gc", "--dry-run")
        assert dry.returncode == 0, dry.stderr
        for shown in (f"container {running[:12]}", f"container {stopped[:12]}",
                      f"network {net[:12]}", f"volume {vol}"):
            assert f"would remove {shown}\n" in dry.stdout
        assert plain[:12] not in dry.stdout and plain_vol not in dry.stdout
        assert running in ids(docker_env, "/containers/json?all=1")

        r = q("gc")
        assert r.returncode == 0, r.stderr
        assert f"removed container {running[:12]}\n" in r.stdout
        assert f"removed network {net[:12]}\n" in r.stdout and f"removed volume {vol}\n" in r.stdout
        containers, networks, volumes = everything(docker_env)
        assert not {running, stopped} & containers
        assert net not in networks and vol not in volumes
        assert plain in containers and plain_net in networks and plain_vol in volumes

        again = q("gc")
        assert again.returncode == 0 and "removed" not in again.stdout
    finally:
        docker_cli("rm", "-f", running, stopped, plain)
        docker_cli("network", "rm", net, plain_net)
        docker_cli("volume", "rm", vol, plain_vol)


def _labelled(env):
    filt = urllib.parse.quote(json.dumps({"label": ["io.quai.run"]}))
    return (ids(env, f"/containers/json?all=1&filters={filt}") | ids(env, f"/networks?filters={filt}")
            | ids(env, f"/volumes?filters={filt}", "Name"))


def test_gc_after_sigkill(q, quai_bin, docker_env, busybox_image, tmp_path):
    """A run killed with SIGKILL cannot clean up: quai gc does."""
    spec = tmp_path / "slow.yaml"
    spec.write_text('schemaVersion: "2.0.0"\ncommandTests:\n  - name: slow\n    command: sleep\n    args: ["30"]\n')
    env = {"DOCKER_HOST": docker_env["DOCKER_HOST"], "PATH": "/usr/bin:/bin"}
    p = subprocess.Popen([quai_bin, "test", "--spec", spec, busybox_image], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        left = wait_until(lambda: _labelled(docker_env), timeout=30, what="a labelled container")
        p.kill()
        p.wait(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert left
    r = q("gc")
    assert r.returncode == 0, r.stderr
    assert "removed container " in r.stdout
    assert _labelled(docker_env) == set()


def test_gc_usage(q):
    assert q("gc", "extra").returncode == 2
    assert q("gc", "--bogus").returncode == 2
    r = q("gc", "--help")
    assert r.returncode == 0 and "--dry-run" in r.stdout


# ---- the engine ----

@pytest.mark.parametrize("args", [["gc"], ["test", "--spec", "/nonexistent-but-unused.yaml", "img"],
                                  ["push", "img:1", "127.0.0.1:1/x:1"]])
def test_no_engine_any_command(quai, tmp_path, args):
    if args[0] == "test":
        spec = tmp_path / "s.yaml"
        spec.write_text('schemaVersion: "2.0.0"\n')
        args = ["test", "--spec", spec, "img"]
    sock = tmp_path / "none.sock"
    r = quai(*args, env={"DOCKER_HOST": f"unix://{sock}"})
    assert r.returncode == 2, r.stderr
    assert f"no Docker engine at unix://{sock}: start one with `dockerd` or set DOCKER_HOST" in r.stderr
    assert len(r.stderr.splitlines()) == 1, r.stderr


def test_permission_denied_on_socket(quai_bin, tmp_path):
    """quai run as nobody against a root-only socket."""
    from engine_fake import FakeEngine

    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run quai as nobody")
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    check = subprocess.run([*nobody, quai_bin, "gc", "--help"], capture_output=True, text=True, timeout=30)
    if check.returncode != 0:
        pytest.skip(f"nobody cannot run {quai_bin}: {check.stderr.strip()[:200]}")
    d = tmp_path / "s"
    d.mkdir()
    os.chmod(tmp_path, 0o755)
    os.chmod(d, 0o755)
    sock = d / "engine.sock"
    with FakeEngine(str(sock)):
        os.chmod(sock, 0o600)
        r = subprocess.run([*nobody, quai_bin, "gc"], env={"DOCKER_HOST": f"unix://{sock}", "PATH": "/usr/bin:/bin"},
                           capture_output=True, text=True, timeout=60)
    assert r.returncode == 2, r.stderr
    assert f"permission denied on the Docker engine socket '{sock}'" in r.stderr
    assert len(r.stderr.splitlines()) <= 2, r.stderr


# ---- build ----

def test_context_over_limit(q, docker_env, busybox_image, tmp_path):
    d = tmp_path / "ctx"
    d.mkdir()
    (d / "Dockerfile").write_text(f"FROM {busybox_image}\nUSER 1000\nCOPY big /big\n")
    (d / "big").write_bytes(os.urandom(3 << 20))
    before = everything(docker_env)
    r = q("build", "--max-context", "1M", d)
    assert r.returncode == 2, r.stderr
    assert f"build context '{d}' is larger than the limit of 1048576 bytes" in r.stderr
    assert ".dockerignore" in r.stderr
    assert "Step 1/" not in r.stdout
    assert everything(docker_env) == before
    (d / ".dockerignore").write_text("big\n")
    (d / "Dockerfile").write_text(f"FROM {busybox_image}\nUSER 1000\n")
    ok = q("build", "--max-context", "1M", d)
    assert ok.returncode == 0, ok.stderr
    bad = q("build", "--max-context", "lots", d)
    assert bad.returncode == 2 and "--max-context: 'lots' is not a size" in bad.stderr


def test_failing_step_leaves_no_container(q, docker_env, busybox_image, tmp_path):
    d = tmp_path / "ctx"
    d.mkdir()
    (d / "Dockerfile").write_text(f"FROM {busybox_image}\nUSER 1000\nRUN echo failing-now; exit 3\n")
    before = everything(docker_env)
    r = q("build", d)
    assert r.returncode == 1, r.stderr
    assert "returned a non-zero code: 3" in r.stderr
    assert everything(docker_env) == before


# ---- registries ----

def _loopback_alias():
    """A name other than localhost that resolves to 127.x only (this host's name, usually)."""
    name = socket.gethostname()
    if not name or name == "localhost" or name.startswith("127."):
        return None
    try:
        addrs = {a[4][0] for a in socket.getaddrinfo(name, None, socket.AF_INET)}
    except OSError:
        return None
    return name if addrs and all(a.startswith("127.") for a in addrs) else None


def test_registry_not_tls(q, busybox_image):
    name = _loopback_alias()
    if not name:
        pytest.skip("no host name other than localhost resolves to loopback")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    server.RequestHandlerClass.log_message = lambda *a: None
    port = server.server_address[1]
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        r = q("push", busybox_image, f"{name}:{port}/quai-faults/x:v1")
    finally:
        server.shutdown()
        server.server_close()
    assert r.returncode == 2, r.stderr
    assert f"registry '{name}:{port}' does not speak TLS" in r.stderr
    assert len(r.stderr.splitlines()) == 1, r.stderr
