"""quai build and quai test against Podman's Docker-compatible API (optional:
skipped without the `podman` binary or root). A private rootful
`podman system service` with its own storage (vfs) in a temporary directory,
stopped and removed at the end. It builds Docker-format images
(BUILDAH_FORMAT=docker: OCI images drop HEALTHCHECK). Debian 12's Podman 4.3
leaves Config.Healthcheck out of its compatible image inspect and runs health
checks only from systemd timers: quai reads the first from Podman's own API
and runs the checks itself (src/engine/images.c, src/imagetest/run.c)."""
import json
import os
import pathlib
import shutil
import signal
import subprocess
import time
import urllib.parse

import pytest

from testenv import engine_request

ROOT = pathlib.Path(__file__).resolve().parents[2]

# the sandbox may lack CAP_SYS_RESOURCE: Podman's default (raised) ulimits would fail
CONTAINERS_CONF = """[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
"""


@pytest.fixture(scope="module")
def podman_host(tmp_path_factory):
    podman = shutil.which("podman")
    if not podman:
        pytest.skip("no podman (apt-get install podman)")
    if os.geteuid() != 0:
        pytest.skip("the Podman service here is rootful: needs root")
    d = tmp_path_factory.mktemp("podman")
    (d / "containers.conf").write_text(CONTAINERS_CONF)
    sock = d / "podman.sock"
    env = dict(os.environ, CONTAINERS_CONF=str(d / "containers.conf"), BUILDAH_FORMAT="docker")
    log = open(d / "service.log", "w")
    p = subprocess.Popen([podman, "--root", str(d / "root"), "--runroot", str(d / "run"), "--storage-driver", "vfs",
                          "system", "service", "--time=0", f"unix://{sock}"], env=env, stdout=log,
                         stderr=subprocess.STDOUT, start_new_session=True)
    host = {"DOCKER_HOST": f"unix://{sock}"}
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if sock.exists() and engine_request(host, "GET", "/_ping")[0] == 200:
                    break
            except OSError:
                pass
            if p.poll() is not None or time.monotonic() > deadline:
                pytest.skip("podman system service did not start: " + (d / "service.log").read_text()[-500:])
            time.sleep(0.2)
        yield host["DOCKER_HOST"]
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        log.close()
        # conmon of exec sessions lingers for minutes (--exit-delay): end ours
        for pid in os.listdir("/proc"):
            try:
                cmd = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes()
            except (OSError, ValueError):
                continue
            if pid.isdigit() and cmd.startswith(b"/usr/bin/conmon") and str(d).encode() in cmd:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except OSError:
                    pass
        shutil.rmtree(d, ignore_errors=True)


def run_quai(quai_bin, host, *args, timeout=300):
    env = dict(os.environ, DOCKER_HOST=host, HOME="/nonexistent")
    return subprocess.run([quai_bin, *map(str, args)], env=env, capture_output=True, text=True, timeout=timeout)


def test_build_and_test_on_podman(quai_bin, podman_host, tmp_path):
    bb = shutil.which("busybox") or "/bin/busybox"
    base = tmp_path / "base"
    base.mkdir()
    shutil.copy(bb, base / "busybox")
    (base / "Dockerfile").write_text(
        "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n"
        "USER 1000\nCMD [\"sh\"]\n")
    app = tmp_path / "app"
    (app / "www").mkdir(parents=True)
    (app / "www" / "index.html").write_text("<h1>on podman</h1>\n")
    (app / "Dockerfile").write_text(
        "FROM quai-podman-base:1\nCOPY www/ /www/\nEXPOSE 8080\nENV MODE=podman\n"
        "HEALTHCHECK --interval=1s --timeout=3s --retries=20 CMD [\"wget\", \"-q\", \"-O\", \"/dev/null\", "
        "\"http://127.0.0.1:8080/\"]\n"
        "CMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n")
    r = run_quai(quai_bin, podman_host, "build", "-t", "quai-podman-base:1", base)
    assert r.returncode == 0, r.stdout + r.stderr
    r = run_quai(quai_bin, podman_host, "build", "-t", "quai-podman-app:1", app)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "tagged quai-podman-app:1" in r.stdout
    spec = tmp_path / "tests.yml"
    spec.write_text("""schemaVersion: "2.0.0"
commandTests:
  - name: env and user
    command: sh
    args: ["-c", "echo $MODE; id -u"]
    expectedOutput: ["^podman\\n1000\\n$"]
  - name: exit code and stderr
    command: sh
    args: ["-c", "echo bad >&2; exit 4"]
    exitCode: 4
    expectedError: ["bad"]
  - name: setup
    setup: [["sh", "-c", "echo made > /dev/shm/marker"]]
    command: cat
    args: ["/dev/shm/marker"]
    expectedOutput: ["made"]
fileExistenceTests:
  - name: busybox
    path: /bin/busybox
    shouldExist: true
    permissions: "-rwxr-xr-x"
fileContentTests:
  - name: page
    path: /www/index.html
    expectedContents: ["on podman"]
metadataTest:
  exposedPorts: ["8080"]
  user: "1000"
healthcheck: true
httpTests:
  - name: serves the page
    path: /
    expectedStatus: 200
    expectedBody: "on podman"
""")
    r = run_quai(quai_bin, podman_host, "test", "--spec", spec, "quai-podman-app:1")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "8 passed, 0 failed" in r.stdout and "PASS healthcheck: healthcheck" in r.stdout
    # containerRunOptions reach Podman too
    opts = tmp_path / "opts.yml"
    opts.write_text("""schemaVersion: "2.0.0"
containerRunOptions:
  user: "0"
  envVars: [QUAI_PODMAN_VAR]
commandTests:
  - name: root and env
    command: sh
    args: ["-c", "id -u; echo $QUAI_PODMAN_VAR"]
    expectedOutput: ["^0\\nfrom quai\\n$"]
""")
    os.environ["QUAI_PODMAN_VAR"] = "from quai"
    try:
        r = run_quai(quai_bin, podman_host, "test", "--spec", opts, "quai-podman-app:1")
    finally:
        del os.environ["QUAI_PODMAN_VAR"]
    assert r.returncode == 0, r.stdout + r.stderr
    filt = urllib.parse.quote(json.dumps({"label": ["io.quai.run"]}))
    for path in (f"/containers/json?all=1&filters={filt}", f"/networks?filters={filt}"):
        status, body = engine_request({"DOCKER_HOST": podman_host}, "GET", path)
        assert status == 200 and json.loads(body) == [], body
