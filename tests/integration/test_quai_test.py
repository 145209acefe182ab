"""`quai test IMAGE` against the real test engine: every test kind passing
and failing, spec errors, an image that never becomes healthy, one that
exits early, JUnit and JSON output, and no io.quai.run container or network
left behind (also after SIGTERM)."""
import json
import pathlib
import signal
import subprocess
import time
import urllib.parse
import xml.etree.ElementTree as ET

import pytest

from testenv import engine_request, wait_until

SPECS = pathlib.Path(__file__).resolve().parent.parent / "data" / "imagetest-run"


def leftovers(env):
    """IDs of containers and networks labelled io.quai.run."""
    filt = urllib.parse.quote(json.dumps({"label": ["io.quai.run"]}))
    found = []
    for path in (f"/containers/json?all=1&filters={filt}", f"/networks?filters={filt}"):
        status, body = engine_request(env, "GET", path)
        assert status == 200, body
        found += [o["Id"] for o in json.loads(body)]
    return found


@pytest.fixture
def qtest(quai, docker_env):
    def run(*args, **kw):
        r = quai("test", *args, env={"DOCKER_HOST": docker_env["DOCKER_HOST"]}, timeout=120, **kw)
        assert leftovers(docker_env) == [], "quai test left containers or networks"
        assert "Sanitizer" not in r.stderr, r.stderr
        return r

    return run


def test_all_kinds_pass(qtest, busybox_image):
    r = qtest("--spec", SPECS / "pass.yaml", busybox_image)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    for name in ("command: echo stdout", "command: stderr and exit code", "command: setup and teardown",
                 "fileExistence: busybox exists", "fileExistence: no such file",
                 "fileContent: passwd has root", "metadata: metadata"):
        assert any(line.startswith(f"PASS {name} (") for line in lines), r.stdout
    assert "8 passed, 0 failed" in r.stdout


def test_all_kinds_fail(qtest, busybox_image):
    r = qtest("--spec", SPECS / "fail.yaml", busybox_image)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "0 passed, 6 failed" in r.stdout
    assert "FAIL command: wrong output" in r.stdout and "'^expected$'" in r.stdout and "actual" in r.stdout
    assert "exit code: expected 0, actual 4" in r.stdout
    assert "uid: expected 1234, actual 0" in r.stdout
    assert "workdir: expected '/nowhere'" in r.stdout


def test_http_and_healthcheck_pass_json(qtest, http_image):
    r = qtest("--spec", SPECS / "http-pass.yaml", "--format", "json", http_image)
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert (doc["passed"], doc["failed"]) == (3, 0)
    assert [t["kind"] for t in doc["tests"]] == ["healthcheck", "http", "http"]


def test_http_fail_junit(qtest, http_image, tmp_path):
    junit = tmp_path / "junit.xml"
    r = qtest("--spec", SPECS / "http-fail.yaml", "--junit", junit, http_image)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "status: expected 200, actual 404" in r.stdout
    suite = ET.parse(junit).getroot()
    if suite.tag == "testsuites":
        suite = suite.find("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == 2 and all(c.find("failure") is not None for c in cases)


def test_default_spec_in_dir(qtest, busybox_image, tmp_path):
    (tmp_path / "container-structure-test.yaml").write_text(
        'schemaVersion: "2.0.0"\ncommandTests:\n  - name: true\n    command: "true"\n')
    r = qtest("--dir", tmp_path, busybox_image)
    assert r.returncode == 0, r.stdout + r.stderr
    (tmp_path / "tests.yml").write_text(
        'schemaVersion: "2.0.0"\ncommandTests:\n  - name: false\n    command: "false"\n')
    r = qtest("--dir", tmp_path, busybox_image)
    assert r.returncode == 1 and "FAIL command: false" in r.stdout


def test_file_permissions_from_the_engine(qtest, busybox_image, tmp_path):
    """The mode comes from the archive's path-stat header, also when quai
    stops reading the tar after its first bytes."""
    spec = tmp_path / "tests.yml"
    spec.write_text('schemaVersion: "2.0.0"\nfileExistenceTests:\n'
                    '  - name: busybox\n    path: /bin/busybox\n    shouldExist: true\n'
                    '    permissions: "-rwxr-xr-x"\n    isExecutableBy: any\n'
                    '  - name: wrong\n    path: /bin/busybox\n    shouldExist: true\n'
                    '    permissions: "-rw-------"\n')
    r = qtest("--spec", spec, busybox_image)
    assert "PASS fileExistence: busybox" in r.stdout, r.stdout + r.stderr
    assert "expected -rw-------, actual -rwxr-xr-x" in r.stdout, r.stdout
    assert r.returncode == 1


@pytest.mark.parametrize("spec,where", [("bad-yaml.yaml", ":5:1: "), ("unknown-key.yaml", ":5:5: unknown key")])
def test_spec_errors(qtest, busybox_image, spec, where):
    r = qtest("--spec", SPECS / spec, busybox_image)
    assert r.returncode == 2
    assert f"{spec}{where}" in r.stderr


def test_usage_and_missing_image(qtest, tmp_path):
    assert qtest("--format", "xml", "x").returncode == 2
    assert qtest("--dir", tmp_path, "x").returncode == 2
    r = qtest("--spec", SPECS / "pass.yaml", "quai-test/no-such-image:0")
    assert r.returncode == 2 and "no-such-image" in r.stderr


def build(docker_cli, tmp_path, tag, dockerfile):
    d = tmp_path / tag.replace("/", "_").replace(":", "_")
    d.mkdir()
    (d / "Dockerfile").write_text(dockerfile)
    docker_cli("build", "-q", "-t", tag, d, check=True)
    return tag


def test_never_healthy(qtest, docker_cli, http_image, tmp_path):
    tag = build(docker_cli, tmp_path, "quai-test/unhealthy:2",
                f"FROM {http_image}\nHEALTHCHECK --interval=1s --timeout=1s --start-period=1ms --retries=2 "
                "CMD [\"sh\", \"-c\", \"echo not-yet; exit 1\"]\n")
    spec = tmp_path / "spec.yaml"
    spec.write_text('schemaVersion: "2.0.0"\nhealthcheck: true\n')
    r = qtest("--spec", spec, tag)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "FAIL healthcheck: healthcheck" in r.stdout and "not-yet" in r.stdout
    docker_cli("rmi", tag)


def test_exits_early(qtest, docker_cli, busybox_image, tmp_path):
    tag = build(docker_cli, tmp_path, "quai-test/exits:1",
                f"FROM {busybox_image}\nEXPOSE 8080\nCMD [\"sh\", \"-c\", \"echo goodbye; exit 7\"]\n")
    r = qtest("--spec", SPECS / "http-fail.yaml", tag)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "exited early with 7" in r.stdout and "goodbye" in r.stdout
    docker_cli("rmi", tag)


def test_sigterm_cleans_up(quai_bin, docker_env, busybox_image, tmp_path):
    spec = tmp_path / "slow.yaml"
    spec.write_text('schemaVersion: "2.0.0"\ncommandTests:\n  - name: slow\n    command: sleep\n    args: ["30"]\n')
    env = {"DOCKER_HOST": docker_env["DOCKER_HOST"], "PATH": "/usr/bin:/bin"}
    p = subprocess.Popen([quai_bin, "test", "--spec", spec, busybox_image], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: leftovers(docker_env), timeout=20, what="a labelled container")
        time.sleep(0.3)
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 143
    assert leftovers(docker_env) == []


def test_sigint_during_http_wait_cleans_up(quai_bin, docker_env, docker_cli, busybox_image, tmp_path):
    tag = build(docker_cli, tmp_path, "quai-test/silent:1",
                f"FROM {busybox_image}\nEXPOSE 8080\nCMD [\"sleep\", \"30\"]\n")
    spec = tmp_path / "wait.yaml"
    spec.write_text('schemaVersion: "2.0.0"\nhttpTests:\n  - name: never\n    timeout: 20s\n')
    env = {"DOCKER_HOST": docker_env["DOCKER_HOST"], "PATH": "/usr/bin:/bin"}
    p = subprocess.Popen([quai_bin, "test", "--spec", spec, tag], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: len(leftovers(docker_env)) >= 2, timeout=20, what="a labelled container and network")
        time.sleep(0.5)
        p.send_signal(signal.SIGINT)
        p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 130
    assert leftovers(docker_env) == []
    docker_cli("rmi", tag)
