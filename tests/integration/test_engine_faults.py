"""The engine client against a scripted fake engine (no Docker needed):
version negotiation, the engine dying mid-stream, hanging, error messages."""
import io
import json
import pathlib
import socket
import subprocess
import tarfile
import time

import pytest

from engine_fake import FakeEngine


@pytest.fixture(scope="session")
def probe(quai_bin):
    p = pathlib.Path(quai_bin).resolve().parents[2] / "tests" / "unit" / "engine" / "engine_probe"
    if not p.exists():
        pytest.skip(f"engine_probe not built at {p}")
    return str(p)


def run_probe(probe, sock, *args, timeout=30):
    env = {"DOCKER_HOST": f"unix://{sock}", "PATH": "/usr/bin:/bin", "ASAN_OPTIONS": "detect_leaks=1"}
    return subprocess.run([probe, *args], env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def sock(tmp_path):
    return str(tmp_path / "engine.sock")


def context_tar(tmp_path):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        data = b"FROM scratch\n"
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    p = tmp_path / "ctx.tar"
    p.write_bytes(buf.getvalue())
    return str(p)


def test_no_engine(probe, sock):
    r = run_probe(probe, sock, "ping")
    assert r.returncode == 2
    assert f"no Docker engine at unix://{sock}: start one with `dockerd` or set DOCKER_HOST" in r.stderr


def test_not_an_engine(probe, sock):
    import threading
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(sock)
    srv.listen(1)

    def hang_up():
        conn, _ = srv.accept()
        conn.recv(4096)
        conn.close()

    t = threading.Thread(target=hang_up, daemon=True)
    t.start()
    try:
        r = run_probe(probe, sock, "ping")
    finally:
        srv.close()
    assert r.returncode == 2
    assert f"the connection to the Docker engine at unix://{sock} dropped" in r.stderr


@pytest.mark.parametrize("server,used", [("1.41", "1.41"), ("1.30", "1.30"), ("1.45", "1.43"), ("1.100", "1.43")])
def test_version_is_never_newer_than_the_engine(probe, sock, server, used):
    with FakeEngine(sock, ping_version=server) as fake:
        fake.routes[("GET", "/images/x/json")] = lambda h: fake.send_json(h, 200, {"Id": "sha256:1"})
        r = run_probe(probe, sock, "inspect", "x")
    assert r.returncode == 0, r.stderr
    paths = [req[1] for req in fake.requests]
    assert f"/v{used}/images/x/json" in paths


def test_version_from_version_endpoint(probe, sock):
    with FakeEngine(sock, ping_version=None, version_json={"ApiVersion": "1.35"}):
        r = run_probe(probe, sock, "ping")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "API 1.35"


def test_version_fallback(probe, sock):
    with FakeEngine(sock, ping_version=None):
        r = run_probe(probe, sock, "ping")
    assert r.stdout.strip() == "API 1.24"


def test_engine_message_in_error(probe, sock):
    with FakeEngine(sock) as fake:
        fake.routes[("GET", "/images/x/json")] = lambda h: fake.send_json(h, 404, {"message": "No such image: x"})
        r = run_probe(probe, sock, "inspect", "x")
    assert r.returncode == 1
    assert "the Docker engine answered 404: No such image: x" in r.stderr


def chunk(h, data):
    h.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
    h.wfile.flush()


def start_stream(h):
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Transfer-Encoding", "chunked")
    h.end_headers()


def test_build_streams_and_sends_query(probe, sock, tmp_path):
    def build(h):
        start_stream(h)
        chunk(h, b'{"stream":"Step 1/1 : FROM scr')
        chunk(h, b'atch\\n"}\r\n{"aux":{"ID":"sha256:feed"}}\r\n')
        chunk(h, b"")

    with FakeEngine(sock) as fake:
        fake.routes[("POST", "/build")] = build
        r = run_probe(probe, sock, "build", context_tar(tmp_path), "-t", "a/b:1", "-t", "c", "--build-arg",
                      "V=1 2", "--label", "k=v", "--target", "t", "--no-cache", "-f", "sub/Dockerfile")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "Step 1/1 : FROM scratch\nID sha256:feed\n"
    method, path, headers, body = fake.requests[-1]
    assert headers["Content-Type"] == "application/x-tar"
    assert body == (tmp_path / "ctx.tar").read_bytes()
    assert path.startswith("/v1.41/build?")
    q = path.split("?", 1)[1]
    assert "t=a%2Fb%3A1&t=c" in q
    assert "buildargs=%7B%22V%22%3A%221%202%22%7D" in q
    assert "labels=%7B%22k%22%3A%22v%22%7D" in q
    assert "target=t" in q and "nocache=1" in q and "dockerfile=sub%2FDockerfile" in q


def test_build_step_failure(probe, sock, tmp_path):
    def build(h):
        start_stream(h)
        chunk(h, b'{"stream":"Step 2/2 : RUN false\\n"}\r\n')
        chunk(h, b'{"errorDetail":{"code":1,"message":"The command \'/bin/sh -c false\' returned a non-zero code: 1"},'
                 b'"error":"The command \'/bin/sh -c false\' returned a non-zero code: 1"}\r\n')
        chunk(h, b"")

    with FakeEngine(sock) as fake:
        fake.routes[("POST", "/build")] = build
        r = run_probe(probe, sock, "build", context_tar(tmp_path))
    assert r.returncode == 1
    assert "returned a non-zero code: 1" in r.stderr


def test_engine_dies_mid_build(probe, sock, tmp_path):
    def build(h):
        start_stream(h)
        chunk(h, b'{"stream":"Step 1/3 : FROM scratch\\n"}\r\n')
        h.wfile.flush()
        h.connection.shutdown(socket.SHUT_RDWR)
        h.close_connection = True

    with FakeEngine(sock) as fake:
        fake.routes[("POST", "/build")] = build
        r = run_probe(probe, sock, "build", context_tar(tmp_path))
    assert r.returncode == 2
    assert "Step 1/3" in r.stdout
    assert f"the connection to the Docker engine at unix://{sock} dropped (did the engine stop?)" in r.stderr


def test_wait_timeout(probe, sock):
    def create(h):
        fake.send_json(h, 201, {"Id": "c0ffee"})

    def hang(h):
        time.sleep(3)
        fake.send_json(h, 200, {"StatusCode": 0})

    with FakeEngine(sock) as fake:
        fake.routes[("POST", "/containers/create")] = create
        fake.routes[("POST", "/containers/c0ffee/start")] = lambda h: (h.send_response(204), h.end_headers())
        fake.routes[("POST", "/containers/c0ffee/wait")] = hang
        fake.routes[("DELETE", "/containers/c0ffee")] = lambda h: (h.send_response(204), h.end_headers())
        r = run_probe(probe, sock, "run", "img", "run1", "500")
    assert r.returncode == 2
    assert "wait for container 'c0ffee': POST /containers/c0ffee/wait timed out after 500 ms" in r.stderr
    create_body = json.loads(fake.requests[1][3])
    assert create_body["Labels"] == {"io.quai.run": "run1"}
    assert ("DELETE", "/v1.41/containers/c0ffee?force=1&v=1") in [(m, p) for m, p, *_ in fake.requests]


def test_answer_over_cap(probe, sock):
    def big(h):
        data = b'{"Id":"' + b"x" * (17 << 20) + b'"}'
        h.send_response(200)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        try:
            h.wfile.write(data)
        except OSError:
            pass

    with FakeEngine(sock) as fake:
        fake.routes[("GET", "/images/x/json")] = big
        r = run_probe(probe, sock, "inspect", "x")
    assert r.returncode == 2
    assert "is over" in r.stderr


def test_push_sends_auth(probe, sock):
    def push(h):
        start_stream(h)
        chunk(h, b'{"status":"The push refers to repository [r:5000/a]"}\r\n')
        chunk(h, b'{"status":"v1: digest: sha256:abc size: 527"}\r\n{"progressDetail":{},"aux":{"Tag":"v1",'
                 b'"Digest":"sha256:abc","Size":527}}\r\n')
        chunk(h, b"")

    with FakeEngine(sock) as fake:
        fake.routes[("POST", "/images/r:5000/a/push")] = push
        r = run_probe(probe, sock, "push", "r:5000/a:v1", "me", "pw", "r:5000")
    assert r.returncode == 0, r.stderr
    assert "DIGEST sha256:abc" in r.stdout
    method, path, headers, body = fake.requests[-1]
    assert path == "/v1.41/images/r:5000/a/push?tag=v1"
    import base64
    auth = json.loads(base64.urlsafe_b64decode(headers["X-Registry-Auth"]))
    assert auth == {"username": "me", "password": "pw", "serveraddress": "r:5000"}


def test_tcp_plain(probe):
    with FakeEngine(None, tcp=True) as fake:
        env = {"DOCKER_HOST": f"tcp://127.0.0.1:{fake.port}", "PATH": "/usr/bin:/bin"}
        r = subprocess.run([probe, "ping"], env=env, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "API 1.41\n"


def make_certs(d):
    """A CA, a server certificate for 127.0.0.1 and a client certificate, as DOCKER_CERT_PATH holds them."""
    import shutil
    if not shutil.which("openssl"):
        pytest.skip("no openssl")

    def ossl(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "2",
         "-subj", "/CN=quai test CA")
    (d / "san.cnf").write_text("subjectAltName=IP:127.0.0.1\n")
    for name, cn in (("server", "127.0.0.1"), ("client", "client")):
        ossl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}-key.pem", "-out", f"{name}.csr",
             "-subj", f"/CN={cn}")
        extra = ["-extfile", "san.cnf"] if name == "server" else []
        ossl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
             "-out", f"{name}.pem", "-days", "2", *extra)
    certs = d / "docker"
    certs.mkdir()
    for src, dst in (("ca.pem", "ca.pem"), ("client.pem", "cert.pem"), ("client-key.pem", "key.pem")):
        (certs / dst).write_bytes((d / src).read_bytes())
    return certs


def test_tcp_tls_verify(probe, tmp_path):
    import ssl
    certs = make_certs(tmp_path)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tmp_path / "server.pem", tmp_path / "server-key.pem")
    ctx.load_verify_locations(tmp_path / "ca.pem")
    ctx.verify_mode = ssl.CERT_REQUIRED
    with FakeEngine(None, tcp=True, ssl_context=ctx) as fake:
        host = f"tcp://127.0.0.1:{fake.port}"
        env = {"DOCKER_HOST": host, "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": str(certs), "PATH": "/usr/bin:/bin"}
        ok = subprocess.run([probe, "ping"], env=env, capture_output=True, text=True, timeout=30)
        # the default ~/.docker holds the certificates when DOCKER_CERT_PATH is unset
        home = tmp_path / "home"
        home.mkdir()
        (home / ".docker").symlink_to(certs)
        env_home = {**env, "HOME": str(home)}
        del env_home["DOCKER_CERT_PATH"]
        ok_home = subprocess.run([probe, "ping"], env=env_home, capture_output=True, text=True, timeout=30)
        # without TLS the engine is not understood
        plain = subprocess.run([probe, "ping"], env={"DOCKER_HOST": host}, capture_output=True, text=True,
                               timeout=30)
        # a CA that did not sign the server
        other = tmp_path / "other"
        other.mkdir()
        bad_certs = make_certs(other)
        bad_env = {**env, "DOCKER_CERT_PATH": str(bad_certs)}
        bad = subprocess.run([probe, "ping"], env=bad_env, capture_output=True, text=True, timeout=30)
        # libcurl set up for plain HTTP first (OpenSSL without its configuration
        # and error strings, src/engine/curl.c), then TLS: the same answers
        lean = subprocess.run([probe, "ping"], env={**env, "QUAI_PROBE_LEAN": "1"}, capture_output=True,
                              text=True, timeout=30)
        lean_bad = subprocess.run([probe, "ping"], env={**bad_env, "QUAI_PROBE_LEAN": "1"}, capture_output=True,
                                  text=True, timeout=30)
    assert ok.returncode == 0, ok.stderr
    assert lean.returncode == 0, lean.stderr
    assert lean.stdout == "API 1.41\n"
    assert lean_bad.returncode == 2
    assert lean_bad.stderr == bad.stderr
    assert ok.stdout == "API 1.41\n"
    assert ok_home.returncode == 0, ok_home.stderr
    assert plain.returncode == 2
    assert bad.returncode == 2
    assert f"TLS with the Docker engine at {host}" in bad.stderr


@pytest.mark.parametrize("ciphers", ["AES128-SHA", "ECDHE-RSA-AES256-SHA384", "ECDHE-RSA-CHACHA20-POLY1305"])
def test_tcp_tls12_lean(probe, tmp_path, ciphers):
    """TLS 1.2 with CBC, GCM-less and ChaCha suites after libcurl was set up
    for plain HTTP (OpenSSL without its legacy cipher name table)."""
    import ssl
    certs = make_certs(tmp_path)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers(ciphers + ":@SECLEVEL=0")
    ctx.load_cert_chain(tmp_path / "server.pem", tmp_path / "server-key.pem")
    ctx.load_verify_locations(tmp_path / "ca.pem")
    ctx.verify_mode = ssl.CERT_REQUIRED
    with FakeEngine(None, tcp=True, ssl_context=ctx) as fake:
        env = {"DOCKER_HOST": f"tcp://127.0.0.1:{fake.port}", "DOCKER_TLS_VERIFY": "1",
               "DOCKER_CERT_PATH": str(certs), "PATH": "/usr/bin:/bin", "QUAI_PROBE_LEAN": "1"}
        r = subprocess.run([probe, "ping"], env=env, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "API 1.41\n"


def test_permission_denied_on_socket(probe, sock):
    """Run as nobody against a root-only socket (needs root and setpriv)."""
    import os
    import shutil
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv")
    with FakeEngine(sock):
        os.chmod(sock, 0o600)
        os.chmod(os.path.dirname(sock), 0o755)
        r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", probe, "ping"],
                           env={"DOCKER_HOST": f"unix://{sock}", "PATH": "/usr/bin:/bin"}, capture_output=True,
                           text=True, timeout=30)
    assert r.returncode == 2
    assert f"permission denied on the Docker engine socket '{sock}'" in r.stderr


@pytest.mark.parametrize("podman", [True, False])
def test_podman_image_healthcheck(probe, sock, podman):
    """Podman's compatible image inspect has no Config.Healthcheck: quai takes
    it from Podman's own /libpod/images/{name}/json; a Docker engine is not
    asked for that path."""
    hc = {"Test": ["CMD", "true"], "Interval": 1000000000}
    headers = {"Libpod-Api-Version": "4.3.1"} if podman else {}
    with FakeEngine(sock, ping_headers=headers) as fake:
        fake.routes[("GET", "/images/img:1/json")] = lambda h: fake.send_json(
            h, 200, {"Id": "sha256:" + "1" * 64, "Config": {"Cmd": ["sh"]}})
        fake.routes[("GET", "/libpod/images/img:1/json")] = lambda h: fake.send_json(
            h, 200, {"Id": "sha256:" + "1" * 64, "Healthcheck": hc})
        r = run_probe(probe, sock, "inspect", "img:1")
        asked = [req[1] for req in fake.requests if "/libpod/" in req[1]]
    assert r.returncode == 0, r.stderr
    config = json.loads(r.stdout)["Config"]
    if podman:
        assert config["Healthcheck"] == hc
        assert len(asked) == 1
    else:
        assert "Healthcheck" not in config and asked == []
