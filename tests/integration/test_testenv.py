"""The test environment itself: the engine answers over its socket, the
busybox image runs, a port published on 127.0.0.1 reaches the http image,
the registries take pushes with (and only with) the right credentials."""
import base64
import json
import urllib.error
import urllib.request
import uuid

from testenv import LABEL, engine_request, wait_until


def _name(prefix):
    return f"quai-test-{prefix}-{uuid.uuid4().hex[:8]}"


def _http(url, auth=None, timeout=10):
    req = urllib.request.Request(url)
    if auth:
        req.add_header("Authorization", "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode())
    req.add_header("Accept", "application/vnd.docker.distribution.manifest.v2+json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_engine_answers_ping_over_its_socket(docker_env):
    status, body = engine_request(docker_env, "GET", "/_ping")
    assert (status, body) == (200, b"OK")
    status, body = engine_request(docker_env, "GET", "/version")
    assert status == 200
    version = json.loads(body)
    assert tuple(map(int, version["ApiVersion"].split("."))) >= (1, 41)


def test_busybox_image_runs_a_command(docker_cli, busybox_image):
    r = docker_cli("run", "--rm", "--label", f"{LABEL}=1", busybox_image, "sh", "-c",
                   "echo hello from $(cat /etc/passwd | head -n1 | cut -d: -f1); which wget")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["hello from root", "/usr/bin/wget"]


def test_busybox_image_is_built_from_scratch(docker_cli, busybox_image):
    r = docker_cli("image", "inspect", busybox_image, check=True)
    info = json.loads(r.stdout)[0]
    assert len(info["RootFS"]["Layers"]) == 1
    assert info["Config"]["Cmd"] == ["sh"]


def test_http_image_declares_port_and_healthcheck(docker_cli, http_image):
    info = json.loads(docker_cli("image", "inspect", http_image, check=True).stdout)[0]["Config"]
    assert list(info["ExposedPorts"]) == ["8080/tcp"]
    assert info["Healthcheck"]["Test"][0] == "CMD"


def test_published_port_on_loopback_answers(docker_cli, http_image):
    net, name = _name("net"), _name("http")
    docker_cli("network", "create", "--label", f"{LABEL}=1", net, check=True)
    try:
        docker_cli("run", "-d", "--name", name, "--label", f"{LABEL}=1", "--network", net,
                   "-p", "127.0.0.1::8080", http_image, check=True)

        def healthy():
            r = docker_cli("inspect", "-f", "{{.State.Health.Status}}", name)
            assert r.stdout.strip() != "unhealthy", r.stdout
            return r.stdout.strip() == "healthy"

        wait_until(healthy, timeout=60, what="http container healthy")
        port = docker_cli("port", name, "8080/tcp", check=True).stdout.splitlines()[0]
        host, _, num = port.rpartition(":")
        assert host == "127.0.0.1"
        assert _http(f"http://127.0.0.1:{num}/") == (200, b"quai test http ok\n")
        status, body = _http(f"http://127.0.0.1:{num}/health.json")
        assert status == 200 and json.loads(body) == {"status": "ok"}
        assert _http(f"http://127.0.0.1:{num}/missing")[0] == 404
    finally:
        docker_cli("rm", "-f", "-v", name)
        docker_cli("network", "rm", net)


def test_registry_refuses_anonymous_requests(registry):
    status, _ = _http(f"http://{registry['host']}/v2/")
    assert status == 401
    status, _ = _http(f"http://{registry['host']}/v2/", auth=(registry["user"], "wrong"))
    assert status == 401
    status, _ = _http(f"http://{registry['host']}/v2/", auth=(registry["user"], registry["password"]))
    assert status == 200


def test_registry_refuses_unauthenticated_push(docker_cli, registry, busybox_image):
    ref = f"{registry['host']}/quai-test/anon:{uuid.uuid4().hex[:8]}"
    docker_cli("tag", busybox_image, ref, check=True)
    try:
        r = docker_cli("push", ref)
        assert r.returncode != 0
        assert "no basic auth credentials" in r.stderr + r.stdout
    finally:
        docker_cli("rmi", ref)


def test_registry_refuses_wrong_password(docker_cli, registry):
    r = docker_cli("login", "-u", registry["user"], "--password-stdin", registry["host"], stdin="wrong\n")
    assert r.returncode != 0
    assert "401" in r.stderr or "unauthorized" in r.stderr.lower()


def test_registry_accepts_authenticated_push(docker_cli, registry, busybox_image):
    tag = uuid.uuid4().hex[:8]
    ref = f"{registry['host']}/quai-test/auth:{tag}"
    docker_cli("login", "-u", registry["user"], "--password-stdin", registry["host"],
               stdin=registry["password"] + "\n", check=True)
    docker_cli("tag", busybox_image, ref, check=True)
    try:
        r = docker_cli("push", ref, check=True)
        assert "digest: sha256:" in r.stdout
        digest = r.stdout.split("digest: ")[1].split()[0]
        status, _ = _http(f"http://{registry['host']}/v2/quai-test/auth/manifests/{tag}",
                          auth=(registry["user"], registry["password"]))
        assert status == 200
        status, _ = _http(f"http://{registry['host']}/v2/quai-test/auth/manifests/{digest}",
                          auth=(registry["user"], registry["password"]))
        assert status == 200
    finally:
        docker_cli("rmi", ref)


def test_registry_without_auth_accepts_push(docker_cli, registry_noauth, busybox_image):
    tag = uuid.uuid4().hex[:8]
    ref = f"{registry_noauth}/quai-test/open:{tag}"
    docker_cli("tag", busybox_image, ref, check=True)
    try:
        docker_cli("push", ref, check=True)
        assert _http(f"http://{registry_noauth}/v2/quai-test/open/manifests/{tag}")[0] == 200
    finally:
        docker_cli("rmi", ref)
