"""The web UI of `quai serve` (docs/web.md) end to end: pages rendered from
real pipelines (run by a stand-in command that writes a `quai run`-like
report and a log with ANSI colours and sections), hostile branch names and
commit messages shown as text, sign-in with sessions, CSRF refusals,
read-only users without buttons, the status badge, and a live log over
Server-Sent Events."""
import http.client
import re
import subprocess
import threading
import time
import urllib.parse

import pytest

from serve_env import Server, git, wait_until

STANDIN = r'''#!/usr/bin/env python3
import json, os, sys, time
report = sys.argv[1]
branch = os.environ.get("QUAI_BRANCH", "")
print("\x1b[0Ksection_start:1700000000:build[collapsed=true]\r\x1b[0KBuilding <images>", flush=True)
print("\x1b[1;31mred & bold\x1b[0m plain <b>not bold</b>", flush=True)
print("\x1b[0Ksection_end:1700000001:build\r\x1b[0K", flush=True)
for i in range(3):
    print("line %d" % i, flush=True)
with open(report, "w") as f:
    json.dump({"images": [
        {"name": "base", "reasons": ["base/Dockerfile changed"], "depends_on": [], "version": "1.2.0",
         "refs": [{"ref": "reg.example/base:1.2.0", "digest": "sha256:" + "a" * 64, "pushed": True}],
         "digest": "sha256:" + "a" * 64, "build": {"status": "success", "seconds": 1.5},
         "lint": {"status": "success", "seconds": 0.1, "note": "Dockerfile:3:1 DL3008 pin versions"}},
        {"name": "app", "reasons": ["depends on base"], "depends_on": ["base"], "version": "0.4.1",
         "refs": [], "digest": None, "build": {"status": "success", "seconds": 2.0}}]}, f)
if branch == "slow":
    for i in range(200):
        print("slow %d" % i, flush=True)
        time.sleep(0.1)
if branch == "fail":
    sys.exit(3)
'''

PASSWORD = "correct horse battery"
HOSTILE = '<script>alert("x")</script>&\'quote'


class Client:
    """A browser-like client: keeps the session cookie, does not follow redirects."""

    def __init__(self, server):
        u = urllib.parse.urlparse(server.url)
        self.host, self.port = u.hostname, u.port
        self.cookie = None

    def request(self, method, path, form=None):
        c = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookie:
            headers["Cookie"] = self.cookie
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        text = r.read().decode()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        if "set-cookie" in hdrs:
            self.cookie = hdrs["set-cookie"].split(";")[0]
        return r.status, text, hdrs

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, form):
        return self.request("POST", path, form)

    def login(self, user, password=PASSWORD):
        return self.post("/login", {"user": user, "password": password})


def csrf_of(page):
    m = re.search(r'name="csrf" value="([0-9a-f]{64})"', page)
    return m.group(1) if m else None


@pytest.fixture
def web(quai_bin, tmp_path):
    standin = tmp_path / "web_standin.py"
    standin.write_text(STANDIN)
    s = Server(quai_bin, tmp_path, use_standin=False,
               project_extra=f"    command: [python3, {standin}, '{{report}}']\n")
    for user, role in (("alice", "admin"), ("bob", "read")):
        r = subprocess.run([quai_bin, "web", "user", "--config", str(s.config), "--role", role, user],
                           input=PASSWORD + "\n", capture_output=True, text=True, timeout=60, env=s.env)
        assert r.returncode == 0, r.stderr
    yield s
    s.close()


def run_pipeline(server, branch="main"):
    status, body = server.api("POST", "/projects/app/trigger", {"branch": branch})
    assert status == 202, body
    return server.wait_pipeline(body["pipeline"])


def test_users_file_holds_yescrypt_hashes(web):
    text = (web.data / "web-users").read_text()
    assert re.search(r"^alice admin \$y\$", text, re.M) and re.search(r"^bob read \$y\$", text, re.M)
    assert PASSWORD not in text
    assert (web.data / "web-users").stat().st_mode & 0o077 == 0


def test_sign_in_required_and_session_cookie(web):
    c = Client(web)
    status, _, h = c.get("/")
    assert status == 303 and h["location"] == "/login"
    status, page, _ = c.get("/login")
    assert status == 200 and 'type="password"' in page
    status, page, _ = c.login("alice", "wrong password")
    assert status == 401 and "Wrong user name or password" in page and c.cookie is None
    status, _, h = c.login("alice")
    assert status == 303
    cookie = h["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http public_url, no X-Forwarded-Proto
    status, page, _ = c.get("/")
    assert status == 200 and "alice" in page and "<h1>Projects</h1>" in page
    # signing out needs the CSRF token too, and ends the session
    c.post("/logout", {"csrf": csrf_of(page)})
    assert c.get("/")[0] == 303


def test_pages_show_pipeline_and_admin_actions(web):
    p = run_pipeline(web)
    assert p["status"] == "success", p
    job = p["jobs"][0]["id"]
    c = Client(web)
    c.login("alice")
    status, page, h = c.get("/")
    assert status == 200 and h["content-type"].startswith("text/html")
    assert "Content-Security-Policy" in {k.title(): v for k, v in h.items()} or "content-security-policy" in h
    assert f'href="/pipelines/{p["id"]}"' in page and "<svg class=\"spark\"" in page
    assert "/badge/app/main.svg" in page and "first" in page  # the commit's summary
    assert "\u2714" in page and "success" in page  # status as an icon and a word
    assert 'action="/projects/app/trigger"' in page
    status, page, _ = c.get(f"/pipelines/{p['id']}")
    assert status == 200
    for text in ("1.2.0", "reg.example/base:1.2.0", "sha256:" + "a" * 64, "depends on base",
                 "\u2190 base", "DL3008", "Stage 2", "needs base", f'/jobs/{job}', "Retry pipeline"):
        assert text in page, text
    status, page, _ = c.get(f"/jobs/{job}")
    assert status == 200
    assert '<span class="f1 bo">red &amp; bold</span>' in page
    assert "&lt;b&gt;not bold&lt;/b&gt;" in page and "<b>not bold" not in page
    assert '<details class="sec"><summary id="L2">' in page and "Building &lt;images&gt;" in page
    assert '<time class="ts" datetime="2023-11-14T22:13:20Z">22:13:20 UTC</time>' in page  # the section's time
    assert True and "Building &lt;images&gt;" in page
    assert 'id="L5"' in page and 'href="#L5"' in page and 'refresh' not in page and 'id="L4"' not in page  # a section's end
    assert f'href="/jobs/{job}/log"' in page
    status, raw, _ = c.get(f"/jobs/{job}/log")
    assert status == 200 and "line 2" in raw and "\x1b[1;31m" in raw
    run_pipeline(web)
    status, page, _ = c.get("/projects/app/images")
    assert status == 200 and "<h2>base</h2>" in page and "<h2>app</h2>" in page
    base = page[page.index("<h2>base</h2>"):page.index("<h2>app</h2>")]
    assert base.count("1.2.0</td>") == 2 and base.count(f'href="/pipelines/') == 2  # two pipelines' versions
    status, css, h = c.get("/assets/style.css")
    assert status == 200 and h["content-type"].startswith("text/css") and "prefers-color-scheme" in css
    status, js, h = c.get("/assets/quai.js")
    assert status == 200 and "EventSource" in js


def test_read_only_user_sees_no_buttons_and_cannot_post(web):
    p = run_pipeline(web)
    c = Client(web)
    c.login("bob")
    for path in ("/", f"/pipelines/{p['id']}"):
        status, page, _ = c.get(path)
        assert status == 200
        assert "<button type=\"submit\">Sign out" in page
        assert "Retry pipeline" not in page and "Run pipeline" not in page and "Cancel" not in page
    status, _, _ = c.post(f"/pipelines/{p['id']}/retry", {"csrf": "0" * 64})
    assert status == 403
    assert len(web.pipelines()) == 1


def test_csrf_refused_and_actions_work(web):
    p = run_pipeline(web)
    c = Client(web)
    c.login("alice")
    status, page, _ = c.get(f"/pipelines/{p['id']}")
    token = csrf_of(page)
    assert token
    assert c.post(f"/pipelines/{p['id']}/retry", {})[0] == 403
    assert c.post(f"/pipelines/{p['id']}/retry", {"csrf": "f" * 64})[0] == 403
    assert len(web.pipelines()) == 1
    status, _, h = c.post(f"/pipelines/{p['id']}/retry", {"csrf": token})
    assert status == 303 and h["location"].startswith("/pipelines/")
    new = int(h["location"].rsplit("/", 1)[1])
    assert web.wait_pipeline(new)["trigger"] == "retry"
    # trigger a branch, then cancel it while it runs
    web.commit("slow")
    status, _, h = c.post("/projects/app/trigger", {"csrf": token, "branch": "slow"})
    assert status == 303
    pid = int(h["location"].rsplit("/", 1)[1])
    web.wait_pipeline(pid, states=("running",))
    status, page, _ = c.get(f"/pipelines/{pid}")
    assert 'action="/pipelines/%d/cancel"' % pid in page
    assert '<meta http-equiv="refresh"' in page  # a running pipeline's page reloads itself
    status, _, _ = c.post(f"/pipelines/{pid}/cancel", {"csrf": token})
    assert status == 303
    assert web.wait_pipeline(pid)["status"] == "canceled"
    # another session's token is refused
    other = Client(web)
    other.login("alice")
    assert other.post(f"/pipelines/{p['id']}/retry", {"csrf": token})[0] == 403


def test_hostile_branch_and_commit_message_are_text(web):
    (web.wc / "x.txt").write_text("x")
    git("add", "-A", cwd=web.wc)
    git("commit", "-q", "-m", HOSTILE + "\n\nbody <img src=x onerror=alert(1)>", cwd=web.wc)
    git("push", "-q", "origin", "main", cwd=web.wc)
    p = run_pipeline(web)
    status, body = web.api("POST", "/projects/app/trigger", {"branch": HOSTILE.replace(" ", "")})
    assert status == 202, body
    web.wait_pipeline(body["pipeline"])
    c = Client(web)
    c.login("alice")
    for path in ("/", f"/pipelines/{p['id']}", f"/pipelines/{body['pipeline']}"):
        status, page, _ = c.get(path)
        assert status == 200
        assert "<script>alert" not in page and "<img src=x" not in page, path
    status, page, _ = c.get("/")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;quote" in page
    status, page, _ = c.get(f"/pipelines/{p['id']}")
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_badge_svg(web):
    run_pipeline(web)
    c = Client(web)
    c.login("bob")
    status, svg, h = c.get("/badge/app/main.svg")
    assert status == 200 and h["content-type"] == "image/svg+xml"
    assert svg.startswith("<svg") and "success" in svg
    status, svg, _ = c.get("/badge/app/nope.svg")
    assert status == 200 and "unknown" in svg
    run_pipeline(web, "fail")
    assert "failed" in c.get("/badge/app/fail.svg")[1]


def test_anonymous_read_only(web, quai_bin):
    run_pipeline(web)
    r = subprocess.run([quai_bin, "web", "anonymous", "--config", str(web.config), "on"],
                       capture_output=True, text=True, timeout=30, env=web.env)
    assert r.returncode == 0, r.stderr
    c = Client(web)
    status, page, _ = c.get("/")
    assert status == 200 and "Sign in" in page and "Run pipeline" not in page
    assert c.post("/projects/app/trigger", {"branch": "main"})[0] == 403
    subprocess.run([quai_bin, "web", "anonymous", "--config", str(web.config), "off"], check=True, timeout=30, env=web.env)
    assert c.get("/")[0] == 303


def test_unknown_pages_and_api_untouched(web):
    c = Client(web)
    c.login("bob")
    assert c.get("/pipelines/999")[0] == 404
    assert c.get("/jobs/999")[0] == 404
    assert c.get("/projects/nope")[0] == 404
    assert c.get("/nope/at/all")[0] == 404
    assert c.get("/assets/../quai.db")[0] == 404
    # the API still wants its token, cookie or not
    assert c.get("/api/v1/projects")[0] == 401


def test_live_log_over_sse(web):
    web.commit("slow")
    status, body = web.api("POST", "/projects/app/trigger", {"branch": "slow"})
    pid = body["pipeline"]
    web.wait_pipeline(pid, states=("running",))
    job = web.api("GET", f"/pipelines/{pid}")[1]["jobs"][0]["id"]
    c = Client(web)
    c.login("bob")
    status, page, _ = c.get(f"/jobs/{job}")
    assert status == 200 and 'data-live="1"' in page and "Following the log live" in page
    events = []

    def follow():
        conn = http.client.HTTPConnection(c.host, c.port, timeout=30)
        conn.request("GET", f"/jobs/{job}/log?follow=1", headers={"Cookie": c.cookie})
        r = conn.getresponse()
        assert r.getheader("Content-Type") == "text/event-stream"
        while True:
            line = r.readline()
            if not line:
                break
            events.append(line.decode())

    t = threading.Thread(target=follow, daemon=True)
    t.start()
    assert wait_until(lambda: sum("data: slow" in e for e in events) >= 5)
    web.api("POST", f"/pipelines/{pid}/cancel")
    t.join(timeout=20)
    text = "".join(events)
    assert "data: line 0\n" in text and "event: end" in text
    # the log stream needs a session like the pages
    anon = Client(web)
    assert anon.get(f"/jobs/{job}/log?follow=1")[0] == 303


def test_big_log_is_paged(web):
    web.commit("slow")
    status, body = web.api("POST", "/projects/app/trigger", {"branch": "slow"})
    pid = body["pipeline"]
    job = web.api("GET", f"/pipelines/{pid}")[1]["jobs"][0]["id"]
    assert wait_until(lambda: "slow 1" in web.request("GET", f"/api/v1/jobs/{job}/log", token=web.admin)[1])
    web.api("POST", f"/pipelines/{pid}/cancel")
    web.wait_pipeline(pid)
    # write a big log in place of the real one, as the store knows its path
    path = next((web.data / "logs").rglob("*.log"))
    with open(path, "w") as f:
        for i in range(1, 5001):
            f.write(f"row {i}\n" if i != 4500 else "L" * 200000 + "\n")
    c = Client(web)
    c.login("bob")
    status, page, _ = c.get(f"/jobs/{job}")
    assert status == 200 and 'id="L5000"' in page and 'id="L4001"' in page and 'id="L4000"' not in page
    assert 'href="?page=1"' in page
    assert "L" * 65536 in page and "L" * 65537 not in page and 'id="L4501"' in page  # a long line cut
    status, page, _ = c.get(f"/jobs/{job}?page=1")
    assert 'id="L1"' in page and 'id="L2000"' in page and 'id="L2001"' not in page
