"""The real components the integration tests talk to: a Docker engine, two
local registries and the busybox test images, from scripts/testenv.sh.

scripts/test.sh starts them and exports their environment before pytest
runs; run directly with pytest, the session starts them itself (and stops
them at the end) unless they already run. When they cannot start, every test
that needs them fails, it is not skipped."""
import http.client
import json
import os
import pathlib
import socket
import subprocess
import time
import urllib.parse

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "testenv.sh"
LABEL = "io.quai.test"
KEYS = ("DOCKER_HOST", "QUAI_TEST_REGISTRY", "QUAI_TEST_REGISTRY_USER", "QUAI_TEST_REGISTRY_PASSWORD",
        "QUAI_TEST_REGISTRY_NOAUTH", "QUAI_TEST_BUSYBOX_IMAGE", "QUAI_TEST_HTTP_IMAGE",
        "QUAI_TEST_HTTP_PORT", "QUAI_TEST_DOCKER_CLI", "QUAI_TEST_LABEL", "QUAI_TESTENV_DIR")


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=30):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.unix_path)
        self.sock = s


def engine_request(env, method, path, body=None, timeout=30):
    """One Engine API request over DOCKER_HOST (unix:// or plain tcp://);
    returns (status, bytes)."""
    host = env["DOCKER_HOST"]
    if host.startswith("unix://"):
        conn = _UnixConnection(host[len("unix://"):], timeout=timeout)
    else:
        u = urllib.parse.urlparse(host)
        conn = http.client.HTTPConnection(u.hostname, u.port or 2375, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def _parse_env(text):
    env = {}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("export ") and "=" in line:
            k, _, v = line[len("export "):].partition("=")
            env[k] = v.strip("'")
    return env


def _run_script(*args, timeout=300):
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, timeout=timeout)


class TestEnv:
    """The started environment; `failure` says why it is not there."""

    def __init__(self):
        self.env = None
        self.failure = None
        self.started_here = False

    def setup(self):
        if os.environ.get("QUAI_TESTENV_FAILED"):
            self.failure = ("scripts/testenv.sh start failed before pytest ran: "
                            + os.environ["QUAI_TESTENV_FAILED"])
            return
        if all(os.environ.get(k) for k in ("DOCKER_HOST", "QUAI_TEST_REGISTRY", "QUAI_TEST_BUSYBOX_IMAGE")):
            self.env = {k: os.environ[k] for k in KEYS if k in os.environ}
            return
        running = _run_script("status", timeout=60).returncode == 0
        if not running:
            r = _run_script("start")
            self.started_here = True
            if r.returncode != 0:
                self.failure = f"scripts/testenv.sh start failed (exit {r.returncode}):\n{r.stderr}"
                return
        r = _run_script("env", timeout=60)
        if r.returncode != 0:
            self.failure = f"scripts/testenv.sh env failed:\n{r.stderr}"
            return
        self.env = _parse_env(r.stdout)
        os.environ.update(self.env)

    def teardown(self):
        if self.started_here:
            _run_script("stop", timeout=120)

    def require(self):
        if self.env is None:
            pytest.fail(self.failure or "test environment not started", pytrace=False)
        return self.env


@pytest.fixture(scope="session")
def _testenv():
    te = TestEnv()
    te.setup()
    yield te
    te.teardown()


@pytest.fixture(scope="session")
def docker_env(_testenv):
    """The environment as a dict (DOCKER_HOST, QUAI_TEST_*); the engine answers."""
    env = _testenv.require()
    try:
        status, body = engine_request(env, "GET", "/_ping", timeout=10)
    except OSError as e:
        pytest.fail(f"no engine answers at {env['DOCKER_HOST']}: {e}", pytrace=False)
    assert (status, body) == (200, b"OK"), f"engine at {env['DOCKER_HOST']}: /_ping gave {status} {body!r}"
    return dict(env)


@pytest.fixture(scope="session")
def registry(docker_env):
    """The registry with htpasswd auth: {'host': '127.0.0.1:PORT', 'user', 'password'}."""
    return {"host": docker_env["QUAI_TEST_REGISTRY"], "user": docker_env["QUAI_TEST_REGISTRY_USER"],
            "password": docker_env["QUAI_TEST_REGISTRY_PASSWORD"]}


@pytest.fixture(scope="session")
def registry_noauth(docker_env):
    """A second registry, without auth: '127.0.0.1:PORT'."""
    return docker_env["QUAI_TEST_REGISTRY_NOAUTH"]


@pytest.fixture(scope="session")
def busybox_image(docker_env):
    """FROM scratch + Debian's static busybox, applets linked, a minimal /etc."""
    return docker_env["QUAI_TEST_BUSYBOX_IMAGE"]


@pytest.fixture(scope="session")
def http_image(docker_env):
    """busybox httpd on port 8080 serving / and /health.json, with EXPOSE and a HEALTHCHECK."""
    return docker_env["QUAI_TEST_HTTP_IMAGE"]


@pytest.fixture
def docker_cli(docker_env, tmp_path):
    """Runs the docker CLI against the test engine with a private DOCKER_CONFIG;
    returns the CompletedProcess (text mode). For test set-up only."""
    cfg = tmp_path / "docker-config"
    cfg.mkdir()

    def run(*args, stdin=None, timeout=120, check=False):
        env = dict(os.environ)
        env.update(DOCKER_HOST=docker_env["DOCKER_HOST"], DOCKER_CONFIG=str(cfg), DOCKER_BUILDKIT="0")
        r = subprocess.run([docker_env.get("QUAI_TEST_DOCKER_CLI", "docker"), *map(str, args)], input=stdin,
                           env=env, capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            pytest.fail(f"docker {' '.join(map(str, args))} failed ({r.returncode}): {r.stderr}", pytrace=False)
        return r

    run.config_dir = cfg
    return run


def wait_until(pred, timeout=30, interval=0.2, what="condition"):
    """Polls pred() until it is true; fails the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not reached within {timeout}s", pytrace=False)
        time.sleep(interval)
