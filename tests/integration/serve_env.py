"""A `quai serve` under test: a bare repository with commits, a stand-in
pipeline command, a fake forge recording commit statuses, the server on
127.0.0.1 with a random port and a temporary data_dir, and API tokens.

The stand-in (STANDIN below) plays `quai run --report FILE`: it prints a
few lines, writes a JSON report, records its pid, and behaves by branch:
`slow` sleeps, `fail` (or a FAIL file in the commit) exits 3. Once `quai run` and `quai run --pipeline`
are in main, a project without `command:` runs them instead."""
import hashlib
import hmac
import http.server
import json
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[2]
LSAN_SUPP = pathlib.Path(__file__).resolve().parent / "serve_lsan.supp"

SECRET = "whsec-Zq81-not-in-any-output"
GITLAB_SECRET = "gltok-Pk27-not-in-any-output"
REGISTRY_PASSWORD = "regpw-Mx55-not-in-any-output"
STATUS_TOKEN = "ghp-Status-Ty93-not-in-any-output"
ALL_SECRETS = [SECRET, GITLAB_SECRET, REGISTRY_PASSWORD, STATUS_TOKEN]

STANDIN = r'''#!/usr/bin/env python3
import json, os, sys, time
report, pidfile = sys.argv[1], sys.argv[2]
with open(pidfile, "a") as f:
    f.write("%d\n" % os.getpid())
branch = os.environ.get("QUAI_BRANCH", "")
print("standin job=%s branch=%s sha=%s" % (os.environ.get("QUAI_JOB"), branch,
      os.environ.get("QUAI_COMMIT_SHA")), flush=True)
print("files:", " ".join(sorted(os.listdir("."))), flush=True)
print("registry password is", os.environ.get("QUAI_REGISTRY_PASSWORD"), flush=True)
print("only images:", os.environ.get("QUAI_ONLY_IMAGES"), flush=True)
for i in range(5):
    print("line %d" % i, flush=True)
with open(report, "w") as f:
    json.dump({"images": [{"name": "app", "status": "built"}]}, f)
if branch == "slow":
    time.sleep(120)
if branch == "fail" or os.path.exists("FAIL"):
    sys.exit(3)
'''


def git(*args, cwd=None, check=True):
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=check, capture_output=True,
                          text=True, timeout=60)


class Forge:
    """A local HTTP endpoint that records commit-status and notification calls."""

    def __init__(self):
        calls = self.calls = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n).decode()
                calls.append({"path": self.path, "body": body, "headers": dict(self.headers)})
                self.send_response(201)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Server:
    def __init__(self, quai_bin, tmp, extra_projects="", project_extra="", forge=None, top_extra="", env=None,
                 files=None, use_standin=True, registry=None):
        self.quai_bin = quai_bin
        self.tmp = pathlib.Path(tmp)
        self.repo = self.tmp / "repo.git"
        self.wc = self.tmp / "wc"
        self.pids = self.tmp / "pids"
        self.data = self.tmp / "data"
        self.forge = forge
        git("init", "-q", "--bare", "-b", "main", str(self.repo))
        git("init", "-q", "-b", "main", str(self.wc))
        for name, text in (files or {"Dockerfile": "FROM busybox\n"}).items():
            (self.wc / name).parent.mkdir(parents=True, exist_ok=True)
            (self.wc / name).write_text(text)
        git("add", "-A", cwd=self.wc)
        git("commit", "-q", "-m", "first", cwd=self.wc)
        git("remote", "add", "origin", str(self.repo), cwd=self.wc)
        git("push", "-q", "origin", "main", cwd=self.wc)
        standin = self.tmp / "standin.py"
        standin.write_text(STANDIN)
        standin.chmod(0o755)
        reg_host, reg_user, reg_password = registry or ("127.0.0.1:5000", "ci", REGISTRY_PASSWORD)
        (self.tmp / "registry_password").write_text(reg_password + "\n")
        status = ""
        if forge:
            status = (f"    status: {{forge: github, api: '{forge.url}', repo: o/app,"
                      f" token: {{env: QUAI_TEST_STATUS_TOKEN}}}}\n"
                      f"    notify_webhook: '{forge.url}/notify'\n")
        self.config = self.tmp / "server.yml"
        self.config.write_text(
            "listen: 127.0.0.1:0\n"
            f"data_dir: {self.data}\n"
            "public_url: http://ci.example.com\n"
            f"{top_extra}"
            "projects:\n"
            "  - name: app\n"
            f"    url: {self.repo}\n"
            "    default_branch: main\n"
            "    webhook_secret: {env: QUAI_TEST_WEBHOOK_SECRET}\n"
            f"    registry: {reg_host}\n"
            f"    registry_user: {reg_user}\n"
            f"    registry_password: {{file: {self.tmp / 'registry_password'}}}\n"
            + (f"    command: [python3, {standin}, '{{report}}', {self.pids}]\n" if use_standin else "")
            + f"{status}{project_extra}"
            "  - name: lab\n"
            f"    url: {self.repo}\n"
            f"    webhook_secret: {GITLAB_SECRET}\n"
            "    pipeline: both\n"
            f"    command: [python3, {standin}, '{{report}}', {self.pids}]\n"
            f"{extra_projects}")
        self.env = dict(os.environ, QUAI_TEST_WEBHOOK_SECRET=SECRET, QUAI_TEST_STATUS_TOKEN=STATUS_TOKEN,
                        LSAN_OPTIONS=f"suppressions={LSAN_SUPP}:print_suppressions=0", **(env or {}))
        self.admin = self.token("admin")
        self.reader = self.token("read")
        self.proc = None
        self.start()

    def token(self, role):
        r = subprocess.run([self.quai_bin, "serve", "token", "create", "--config", str(self.config),
                            "--role", role], env=self.env, capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        return r.stdout.strip()

    def start(self):
        self.log = open(self.tmp / "serve.log", "a+")
        self.proc = subprocess.Popen([self.quai_bin, "serve", "--config", str(self.config)], env=self.env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            self.log.seek(0)
            for line in self.log.read().splitlines():
                if "listening on http://" in line:
                    self.url = line.split("listening on ")[1].split("/ ")[0]
            if getattr(self, "url", None) and self.proc.poll() is None:
                try:
                    if self.request("GET", "/healthz")[0] == 200:
                        return
                except OSError:
                    pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError("quai serve did not start: " + self.output())

    def output(self):
        self.log.seek(0)
        return self.log.read()

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=timeout)
        rc = self.proc.returncode if self.proc else 0
        self.url = None
        return rc

    def request(self, method, path, body=None, headers=None, token=None):
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        if token:
            req.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.read().decode(), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(), dict(e.headers)

    def api(self, method, path, body=None, token=None):
        status, text, _ = self.request(method, "/api/v1" + path, body, token=token or self.admin)
        return status, json.loads(text) if text else None

    def pipelines(self, **filters):
        q = "&".join(f"{k}={v}" for k, v in filters.items())
        status, body = self.api("GET", "/pipelines" + ("?" + q if q else ""))
        assert status == 200, body
        return body["pipelines"]

    def wait_pipeline(self, pid, states=("success", "failed", "canceled"), timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            status, p = self.api("GET", f"/pipelines/{pid}")
            assert status == 200, p
            if p["status"] in states:
                return p
            time.sleep(0.05)
        raise AssertionError(f"pipeline {pid} still {p['status']}: {self.output()}")

    def head(self, branch="main"):
        return git("rev-parse", branch, cwd=self.wc).stdout.strip()

    def commit(self, branch="main", name="file.txt"):
        git("checkout", "-q", "-B", branch, cwd=self.wc)
        (self.wc / name).write_text(str(uuid.uuid4()))
        git("add", "-A", cwd=self.wc)
        git("commit", "-q", "-m", "change", cwd=self.wc)
        git("push", "-q", "-f", "origin", branch, cwd=self.wc)
        return self.head(branch)

    def close(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def sign(body, secret=SECRET):
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def github_push(server, sha, branch="main", delivery=None, secret=SECRET, before="0" * 40):
    body = json.dumps({"ref": f"refs/heads/{branch}", "before": before, "after": sha,
                       "repository": {"full_name": "o/app"}}).encode()
    headers = {"Content-Type": "application/json", "X-GitHub-Event": "push",
               "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
               "X-Hub-Signature-256": "sha256=" + sign(body, secret)}
    return server.request("POST", "/hooks/app", body, headers)


def pids_alive(path):
    if not path.exists():
        return []
    alive = []
    for line in path.read_text().split():
        try:
            os.kill(int(line), 0)
            alive.append(int(line))
        except ProcessLookupError:
            pass
    return alive


def wait_until(fn, timeout=20, step=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(step)
    return fn()


if __name__ == "__main__":
    sys.exit("a helper module for tests/integration/test_serve*.py")
