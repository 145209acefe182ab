"""quai push and quai login against the test environment's engine and registries."""
import base64
import json
import os
import pathlib
import re
import socket
import stat
import urllib.request
import uuid

import pytest

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "registry"
DIGEST = re.compile(r"^(\S+)@(sha256:[0-9a-f]{64})$")


@pytest.fixture
def dcfg(tmp_path):
    d = tmp_path / "docker-config"
    d.mkdir()
    return d


@pytest.fixture
def q(quai, docker_env, dcfg):
    """quai with the test engine, a private DOCKER_CONFIG and no registry variables."""

    def run(*args, env=None, stdin=None):
        full = {"DOCKER_HOST": docker_env["DOCKER_HOST"], "HOME": "/nonexistent", "DOCKER_CONFIG": str(dcfg),
                "QUAI_REGISTRY_USER": "", "QUAI_REGISTRY_PASSWORD": ""}
        full.update(env or {})
        return quai(*args, env=full, stdin=stdin, timeout=180)

    return run


def name():
    return "quai-push-" + uuid.uuid4().hex[:10]


def secrets_absent(r, registry):
    pw = registry["password"]
    b64 = base64.b64encode(f"{registry['user']}:{pw}".encode()).decode()
    for text in (r.stdout, r.stderr):
        assert pw not in text
        assert b64 not in text


def pushed(r):
    """{ref: [digest]} from quai push's output, lines REF@sha256:... (the tag kept)."""
    out = {}
    for line in r.stdout.splitlines():
        m = DIGEST.match(line)
        assert m, line
        out.setdefault(m.group(1), []).append(m.group(2))
    return out


def remote_digest(host, repo, tag, auth=None):
    req = urllib.request.Request(f"http://{host}/v2/{repo}/manifests/{tag}", method="HEAD", headers={
        "Accept": "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json"})
    if auth:
        req.add_header("Authorization", "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode())
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.headers["Docker-Content-Digest"]


def env_creds(registry):
    return {"QUAI_REGISTRY_USER": registry["user"], "QUAI_REGISTRY_PASSWORD": registry["password"]}


def test_push_env_credentials_two_refs(q, registry, busybox_image):
    n = name()
    refs = [f"{registry['host']}/{n}:v1", f"{registry['host']}/{n}/sub:v2"]
    r = q("push", busybox_image, *refs, env=env_creds(registry))
    assert r.returncode == 0, r.stderr
    got = pushed(r)
    assert set(got) == set(refs)
    assert r.stdout.splitlines()[0].startswith(refs[0] + "@sha256:"), r.stdout
    auth = (registry["user"], registry["password"])
    assert got[refs[0]] == [remote_digest(registry["host"], n, "v1", auth)]
    assert got[refs[1]] == [remote_digest(registry["host"], f"{n}/sub", "v2", auth)]
    secrets_absent(r, registry)


def test_push_config_auths(q, registry, busybox_image, dcfg):
    b64 = base64.b64encode(f"{registry['user']}:{registry['password']}".encode()).decode()
    (dcfg / "config.json").write_text(json.dumps({"auths": {f"http://{registry['host']}": {"auth": b64}}}))
    r = q("push", busybox_image, f"{registry['host']}/{name()}:v1")
    assert r.returncode == 0, r.stderr
    assert len(pushed(r)) == 1
    secrets_absent(r, registry)


def test_push_creds_store_helper(q, registry, busybox_image, dcfg):
    (dcfg / "config.json").write_text(json.dumps({"credsStore": "fake"}))
    env = {"PATH": f"{DATA}:{os.environ.get('PATH', '/usr/bin:/bin')}", "FAKE_CRED_SERVER": registry["host"],
           "FAKE_CRED_USER": registry["user"], "FAKE_CRED_SECRET": registry["password"]}
    r = q("push", busybox_image, f"{registry['host']}/{name()}:v1", env=env)
    assert r.returncode == 0, r.stderr
    secrets_absent(r, registry)
    # a credHelpers entry wins over credsStore
    (dcfg / "config.json").write_text(json.dumps({"credsStore": "nosuch", "credHelpers": {registry["host"]: "fake"}}))
    r = q("push", busybox_image, f"{registry['host']}/{name()}:v1", env=env)
    assert r.returncode == 0, r.stderr


def test_wrong_password_refused(q, registry, busybox_image):
    r = q("push", busybox_image, f"{registry['host']}/{name()}:v1",
          env={"QUAI_REGISTRY_USER": registry["user"], "QUAI_REGISTRY_PASSWORD": "wrong-pw-xyz"})
    assert r.returncode == 1
    assert "refused the credentials" in r.stderr
    assert "wrong-pw-xyz" not in r.stderr + r.stdout


def test_no_credentials(q, registry, busybox_image):
    r = q("push", busybox_image, f"{registry['host']}/{name()}:v1")
    assert r.returncode == 1
    assert "requires credentials" in r.stderr


def test_registry_down(q, busybox_image):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = q("push", busybox_image, f"127.0.0.1:{port}/{name()}:v1")
    assert r.returncode == 2
    assert f"registry '127.0.0.1:{port}' is not reachable" in r.stderr
    assert len(r.stderr.splitlines()) == 1


def test_existing_tag_refused_then_forced(q, registry_noauth, busybox_image, http_image):
    ref = f"{registry_noauth}/{name()}:1.0"
    r = q("push", busybox_image, ref)
    assert r.returncode == 0, r.stderr
    first = list(pushed(r).values())[0][0]
    # the same image again: fine
    r = q("push", busybox_image, ref)
    assert r.returncode == 0, r.stderr
    # another image under the same version tag: refused, naming the tag and both digests
    r = q("push", http_image, ref)
    assert r.returncode == 1
    assert ref in r.stderr and first in r.stderr and "--force" in r.stderr
    assert r.stdout == ""
    name_ = ref.rsplit(":", 1)[0]
    assert remote_digest(registry_noauth, name_.split("/", 1)[1], "1.0") == first
    r = q("push", "--force", http_image, ref)
    assert r.returncode == 0, r.stderr
    second = list(pushed(r).values())[0][0]
    assert second != first
    assert remote_digest(registry_noauth, name_.split("/", 1)[1], "1.0") == second


def test_latest_may_move(q, registry_noauth, busybox_image, http_image):
    ref = f"{registry_noauth}/{name()}:latest"
    assert q("push", busybox_image, ref).returncode == 0
    r = q("push", http_image, ref)
    assert r.returncode == 0, r.stderr


def test_image_not_found_and_usage(q, registry_noauth):
    r = q("push", "quai-test/no-such-image:0", f"{registry_noauth}/x:1")
    assert r.returncode == 1
    assert "image 'quai-test/no-such-image:0' not found" in r.stderr
    assert q("push").returncode == 2
    assert q("push", "img").returncode == 2
    assert q("push", "img", "Bad/Ref").returncode == 2
    r = q("push", "img", "127.0.0.1:5000/x@sha256:" + "0" * 64)
    assert r.returncode == 2 and "digest" in r.stderr
    r = q("push", "--help")
    assert r.returncode == 0 and "usage: quai push" in r.stdout


def test_login_stores_in_config(q, registry, busybox_image, dcfg):
    cfg = dcfg / "config.json"
    cfg.write_text(json.dumps({"auths": {"other.example.com": {"auth": "YTpi"}}, "psFormat": "table"}))
    r = q("login", "-u", registry["user"], "--password-stdin", registry["host"], stdin=registry["password"] + "\n")
    assert r.returncode == 0, r.stderr
    secrets_absent(r, registry)
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    data = json.loads(cfg.read_text())
    assert data["psFormat"] == "table"
    assert data["auths"]["other.example.com"] == {"auth": "YTpi"}
    got = base64.b64decode(data["auths"][registry["host"]]["auth"]).decode()
    assert got == f"{registry['user']}:{registry['password']}"
    assert not list(dcfg.glob("*.tmp*"))
    # and push finds them
    r = q("push", busybox_image, f"{registry['host']}/{name()}:v1")
    assert r.returncode == 0, r.stderr


def test_login_wrong_password(q, registry, dcfg):
    r = q("login", "-u", registry["user"], "--password-stdin", registry["host"], stdin="nope-nope\n")
    assert r.returncode == 1
    assert "refused the credentials" in r.stderr
    assert "nope-nope" not in r.stderr + r.stdout
    assert not (dcfg / "config.json").exists()


def test_login_creds_store(q, registry, dcfg, tmp_path):
    cfg = dcfg / "config.json"
    cfg.write_text(json.dumps({"credsStore": "fake"}))
    store = tmp_path / "stored.json"
    env = {"PATH": f"{DATA}:{os.environ.get('PATH', '/usr/bin:/bin')}", "FAKE_CRED_STORE": str(store)}
    r = q("login", "-u", registry["user"], "--password-stdin", registry["host"], stdin=registry["password"],
          env=env)
    assert r.returncode == 0, r.stderr
    secrets_absent(r, registry)
    assert json.loads(store.read_text()) == {"ServerURL": registry["host"], "Username": registry["user"],
                                             "Secret": registry["password"]}
    assert registry["password"] not in cfg.read_text()


def test_login_usage(q, registry):
    assert q("login").returncode == 2
    r = q("login", registry["host"], stdin="")
    assert r.returncode == 2 and "user" in r.stderr


class _TokenRegistry:
    """A fake registry that wants the Bearer token flow: /token takes basic auth
    (u / p) and gives a token; the API takes that token."""

    DIGEST = "sha256:" + "ab" * 32

    def __init__(self):
        import http.server
        import threading
        outer = self
        self.token_requests = []

        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def _send(self, code, body=b"", headers=()):
                self.send_response(code)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _api(self):
                if self.headers.get("Authorization") != "Bearer tok-123":
                    realm = f"http://127.0.0.1:{outer.port}/token"
                    return self._send(401, headers=[("WWW-Authenticate",
                                                     f'Bearer realm="{realm}",service="fake",scope="x:y:pull"')])
                if self.path == "/v2/":
                    return self._send(200, b"{}")
                if self.path == "/v2/app/manifests/v1":
                    return self._send(200, headers=[("Docker-Content-Digest", outer.DIGEST)])
                return self._send(404)

            def do_GET(self):
                if self.path.startswith("/token"):
                    outer.token_requests.append(self.path)
                    good = "Basic " + base64.b64encode(b"u:p").decode()
                    if self.headers.get("Authorization") != good:
                        return self._send(401)
                    return self._send(200, json.dumps({"token": "tok-123"}).encode())
                return self._api()

            do_HEAD = _api

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def token_registry():
    r = _TokenRegistry()
    yield r
    r.close()


def test_bearer_flow_existing_tag(q, token_registry, busybox_image):
    ref = f"127.0.0.1:{token_registry.port}/app:v1"
    r = q("push", busybox_image, ref, env={"QUAI_REGISTRY_USER": "u", "QUAI_REGISTRY_PASSWORD": "p"})
    assert r.returncode == 1
    assert token_registry.DIGEST in r.stderr and ref in r.stderr
    assert any("service=fake" in p and "scope=x%3Ay%3Apull" in p for p in token_registry.token_requests)
    r = q("push", busybox_image, ref, env={"QUAI_REGISTRY_USER": "u", "QUAI_REGISTRY_PASSWORD": "bad"})
    assert r.returncode == 1 and "refused the credentials" in r.stderr


def test_bearer_flow_login(q, token_registry, dcfg):
    host = f"127.0.0.1:{token_registry.port}"
    r = q("login", "-u", "u", "--password-stdin", host, stdin="p")
    assert r.returncode == 0, r.stderr
    assert json.loads((dcfg / "config.json").read_text())["auths"][host]["auth"] == "dTpw"
    r = q("login", "-u", "u", "--password-stdin", host, stdin="wrong")
    assert r.returncode == 1
