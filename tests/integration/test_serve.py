"""`quai serve` end to end: signed webhooks from GitHub, GitLab and Gitea,
refusals that queue nothing, de-duplication, pipelines run from a fresh
checkout with a stand-in command (serve_env.py), the API with tokens,
logs with ranges and live following, commit statuses to a fake forge,
secrets nowhere, and a clean stop on SIGTERM."""
import json
import os
import pathlib
import subprocess
import threading
import time
import urllib.request
import uuid

import pytest

from serve_env import (ALL_SECRETS, GITLAB_SECRET, SECRET, Forge, Server, git, github_push, pids_alive, sign,
                       wait_until)


@pytest.fixture
def forge():
    f = Forge()
    yield f
    f.close()


@pytest.fixture
def server(quai_bin, tmp_path, forge):
    s = Server(quai_bin, tmp_path, forge=forge)
    yield s
    s.close()


def test_github_push_runs_pipeline(server, forge):
    sha = server.head()
    status, body, _ = github_push(server, sha)
    assert status == 202, body
    reply = json.loads(body)
    assert reply["queued"] and reply["sha"] == sha
    p = server.wait_pipeline(reply["pipeline"])
    assert p["status"] == "success", p
    assert p["sha"] == sha and p["branch"] == "main" and p["trigger"] == "webhook" and p["event"] == "push"
    assert p["duration_ms"] >= 0
    [job] = p["jobs"]
    assert job["name"] == "monorepo" and job["status"] == "success" and job["exit_code"] == 0
    assert job["report"] == {"images": [{"name": "app", "status": "built"}]}
    status, log, headers = server.request("GET", f"/api/v1/jobs/{job['id']}/log", token=server.reader)
    assert status == 200
    assert f"branch=main sha={sha}" in log
    assert "files: .git Dockerfile" in log  # ran in a checkout of the commit
    assert "[MASKED]" in log  # the registry password the job printed
    # commit statuses: running (pending) then success, with a link
    wait_until(lambda: len([c for c in forge.calls if "/statuses/" in c["path"]]) >= 2)
    statuses = [json.loads(c["body"]) for c in forge.calls if c["path"] == f"/repos/o/app/statuses/{sha}"]
    assert [s["state"] for s in statuses] == ["pending", "success"]
    assert statuses[-1]["target_url"] == f"http://ci.example.com/api/v1/pipelines/{p['id']}"
    assert forge.calls[0]["headers"]["Authorization"].startswith("Bearer ")


def test_refusals_queue_nothing(server):
    sha = server.head()
    body = json.dumps({"ref": "refs/heads/main", "after": sha}).encode()
    cases = [
        # bad signature
        ({"X-GitHub-Event": "push", "X-Hub-Signature-256": "sha256=" + sign(body, "wrong")}, body, "/hooks/app", 401),
        # missing signature
        ({"X-GitHub-Event": "push"}, body, "/hooks/app", 401),
        # no forge header at all
        ({}, body, "/hooks/app", 401),
        # signature over another body (replayed with changes)
        ({"X-GitHub-Event": "push", "X-Hub-Signature-256": "sha256=" + sign(b"{}")}, body, "/hooks/app", 401),
        # GitLab token wrong
        ({"X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": "nope"}, body, "/hooks/lab", 401),
        # signed, but not JSON
        ({"X-GitHub-Event": "push", "X-Hub-Signature-256": "sha256=" + sign(b"{not json")}, b"{not json",
         "/hooks/app", 400),
        # signed JSON without a commit
        ({"X-GitHub-Event": "push", "X-Hub-Signature-256": "sha256=" + sign(b'{"ref":"refs/heads/main"}')},
         b'{"ref":"refs/heads/main"}', "/hooks/app", 400),
        # unknown project
        ({"X-GitHub-Event": "push", "X-Hub-Signature-256": "sha256=" + sign(body)}, body, "/hooks/nope", 404),
        # a path that is not a project name
        ({"X-GitHub-Event": "push", "X-Hub-Signature-256": "sha256=" + sign(body)}, body, "/hooks/..%2f..", 404),
    ]
    for headers, data, path, want in cases:
        status, text, _ = server.request("POST", path, data, headers)
        assert status == want, (headers, path, text)
        for s in ALL_SECRETS:
            assert s not in text
    # a body over max_body (5 MiB by default)
    big = b'{"ref": "refs/heads/main", "pad": "' + b"x" * (6 << 20) + b'"}'
    status, text, _ = server.request("POST", "/hooks/app", big, {
        "X-GitHub-Event": "push", "X-Hub-Signature-256": "sha256=" + sign(big)})
    assert status == 413, text
    assert server.pipelines() == []
    _, metrics, _ = server.request("GET", "/metrics")
    assert 'quai_webhook_deliveries_total{result="too_large"} 1' in metrics
    assert 'quai_webhook_deliveries_total{result="unauthorized"} 5' in metrics
    assert 'quai_webhook_deliveries_total{result="malformed"} 2' in metrics
    assert 'quai_webhook_deliveries_total{result="unknown_project"} 1' in metrics


def test_duplicate_delivery_not_queued_twice(server):
    sha = server.head()
    delivery = str(uuid.uuid4())
    assert github_push(server, sha, delivery=delivery)[0] == 202
    status, body, _ = github_push(server, sha, delivery=delivery)
    assert status == 200 and json.loads(body)["duplicate"] is True
    assert len(server.pipelines()) == 1
    # the same delivery id for another project is another delivery
    assert github_push(server, sha, delivery=str(uuid.uuid4()))[0] == 202
    assert len(server.pipelines()) == 2


def test_ping_and_deletion_are_acknowledged(server):
    body = json.dumps({"zen": "hi", "hook_id": 1}).encode()
    status, text, _ = server.request("POST", "/hooks/app", body, {
        "X-GitHub-Event": "ping", "X-GitHub-Delivery": "p1", "X-Hub-Signature-256": "sha256=" + sign(body)})
    assert status == 200 and json.loads(text)["queued"] is False
    status, text, _ = github_push(server, "0" * 40, branch="gone", before=server.head())
    assert status == 200 and "deleted" in json.loads(text)["reason"]
    assert server.pipelines() == []


def test_gitlab_push_and_merge_request(server):
    sha = server.head()
    push = json.dumps({"object_kind": "push", "ref": "refs/heads/main", "before": "0" * 40, "after": sha,
                       "checkout_sha": sha, "project": {"path_with_namespace": "g/lab"}}).encode()
    status, text, _ = server.request("POST", "/hooks/lab", push, {
        "X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": GITLAB_SECRET, "X-Gitlab-Event-UUID": str(uuid.uuid4())})
    assert status == 202, text
    p = server.wait_pipeline(json.loads(text)["pipeline"])
    assert p["status"] == "success" and p["project"] == "lab"
    assert [j["name"] for j in p["jobs"]] == ["monorepo", "pipeline"]  # pipeline: both
    assert all(j["status"] == "success" for j in p["jobs"])
    branch_sha = server.commit("feature")
    mr = json.dumps({"object_kind": "merge_request", "object_attributes": {
        "iid": 4, "action": "open", "source_branch": "feature", "target_branch": "main",
        "last_commit": {"id": branch_sha}}}).encode()
    status, text, _ = server.request("POST", "/hooks/lab", mr, {
        "X-Gitlab-Event": "Merge Request Hook", "X-Gitlab-Token": GITLAB_SECRET,
        "X-Gitlab-Event-UUID": str(uuid.uuid4())})
    assert status == 202, text
    p = server.wait_pipeline(json.loads(text)["pipeline"])
    assert p["status"] == "success" and p["branch"] == "feature" and p["event"] == "merge_request"
    assert p["sha"] == branch_sha and p["ref"] == "refs/merge-requests/4/head"


def test_gitea_push(server):
    sha = server.commit("main")
    body = json.dumps({"ref": "refs/heads/main", "before": "0" * 40, "after": sha}).encode()
    status, text, _ = server.request("POST", "/hooks/app", body, {
        "X-Gitea-Event": "push", "X-Gitea-Delivery": str(uuid.uuid4()), "X-Gitea-Signature": sign(body),
        # Gitea also sends GitHub's headers; its own win
        "X-GitHub-Event": "push"})
    assert status == 202, text
    p = server.wait_pipeline(json.loads(text)["pipeline"])
    assert p["status"] == "success" and p["sha"] == sha
    # Forgejo, signed the GitHub way
    status, text, _ = server.request("POST", "/hooks/app", body, {
        "X-Forgejo-Event": "push", "X-Forgejo-Delivery": str(uuid.uuid4()),
        "X-Hub-Signature-256": "sha256=" + sign(body)})
    assert status == 202, text


def test_generic_form_and_github_pull_request(server):
    sha = server.commit("topic")
    body = json.dumps({"id": "g-1", "ref": "refs/heads/topic", "after": sha}).encode()
    status, text, _ = server.request("POST", "/hooks/app", body, {"X-Quai-Signature": "sha256=" + sign(body)})
    assert status == 202, text
    status, text, _ = server.request("POST", "/hooks/app", body, {"X-Quai-Signature": "sha256=" + sign(body)})
    assert status == 200 and json.loads(text)["duplicate"]  # the body's id de-duplicates
    pr = json.dumps({"action": "synchronize", "number": 9,
                     "pull_request": {"number": 9, "head": {"ref": "topic", "sha": sha}}}).encode()
    status, text, _ = server.request("POST", "/hooks/app", pr, {
        "X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "pr-1", "X-Hub-Signature-256": "sha256=" + sign(pr)})
    assert status == 202, text
    p = server.wait_pipeline(json.loads(text)["pipeline"])
    assert p["status"] == "success" and p["ref"] == "refs/pull/9/head" and p["event"] == "pull_request"


def test_api_tokens_and_roles(server):
    assert server.request("GET", "/api/v1/pipelines")[0] == 401
    assert server.request("GET", "/api/v1/pipelines", token="quai_wrong")[0] == 401
    status, body = server.api("GET", "/projects", token=server.reader)
    assert status == 200
    names = [p["name"] for p in body["projects"]]
    assert names == ["app", "lab"]
    text = json.dumps(body)
    for s in ALL_SECRETS:
        assert s not in text
    assert body["projects"][0]["webhook"] is True
    assert server.api("POST", "/projects/app/trigger", {"branch": "main"}, token=server.reader)[0] == 403
    assert server.api("POST", "/projects/app/trigger", {"branch": "main"}, token=None)[0] == 202
    assert server.api("POST", "/projects/nope/trigger", {})[0] == 404
    assert server.api("POST", "/projects/app/trigger", {"branch": "a..b"})[0] == 400
    assert server.request("DELETE", "/api/v1/pipelines", token=server.admin)[0] == 405
    assert server.request("GET", "/api/v1/jobs/../../etc/passwd", token=server.admin)[0] == 404
    assert server.request("GET", "/api/v1/jobs/1%2F..%2F..%2Fquai.db/log", token=server.admin)[0] == 404
    assert server.request("GET", "/api/v1/jobs/999/log", token=server.admin)[0] == 404


def test_manual_trigger_resolves_branch_and_failure_is_reported(server, forge):
    sha = server.commit("fail")
    status, body = server.api("POST", "/projects/app/trigger", {"branch": "fail"})
    assert status == 202
    p = server.wait_pipeline(body["pipeline"])
    assert p["status"] == "failed" and p["sha"] == sha and p["trigger"] == "api"
    assert "exited with status 3" in p["message"]
    assert p["jobs"][0]["exit_code"] == 3
    wait_until(lambda: any(c["path"] == "/notify" for c in forge.calls))
    note = json.loads([c for c in forge.calls if c["path"] == "/notify"][0]["body"])
    assert note["event"] == "failed" and note["branch"] == "fail" and note["pipeline"] == p["id"]
    states = [json.loads(c["body"])["state"] for c in forge.calls if "/statuses/" in c["path"]]
    assert states[-1] == "failure"
    # filters
    assert [x["id"] for x in server.pipelines(status="failed")] == [p["id"]]
    assert server.pipelines(branch="main") == []
    # retry queues a copy of it
    status, body = server.api("POST", f"/pipelines/{p['id']}/retry")
    assert status == 202 and body["retry_of"] == p["id"]
    r = server.wait_pipeline(body["pipeline"])
    assert r["status"] == "failed" and r["retry_of"] == p["id"] and r["trigger"] == "retry"


def test_cancel_running_pipeline_stops_its_processes(server):
    server.commit("slow")
    _, body = server.api("POST", "/projects/app/trigger", {"branch": "slow"})
    pid = body["pipeline"]
    assert wait_until(lambda: pids_alive(server.pids))
    status, body = server.api("POST", f"/pipelines/{pid}/cancel")
    assert status == 202 and body["status"] == "canceling"
    p = server.wait_pipeline(pid, timeout=15)
    assert p["status"] == "canceled" and p["jobs"][0]["status"] == "canceled"
    assert wait_until(lambda: not pids_alive(server.pids), timeout=10)
    assert server.api("POST", f"/pipelines/{pid}/cancel")[0] == 409


def test_log_range_and_follow(server):
    server.commit("slow")
    _, body = server.api("POST", "/projects/app/trigger", {"branch": "slow"})
    pid = body["pipeline"]
    wait_until(lambda: pids_alive(server.pids))
    job = server.api("GET", f"/pipelines/{pid}")[1]["jobs"][0]["id"]
    wait_until(lambda: "line 4" in server.request("GET", f"/api/v1/jobs/{job}/log", token=server.admin)[1])
    status, full, _ = server.request("GET", f"/api/v1/jobs/{job}/log", token=server.admin)
    status, part, headers = server.request("GET", f"/api/v1/jobs/{job}/log", token=server.admin,
                                           headers={"Range": "bytes=0-9"})
    assert status == 206 and part == full[:10]
    assert headers["Content-Range"].startswith("bytes 0-9/")
    status, part, _ = server.request("GET", f"/api/v1/jobs/{job}/log", token=server.admin,
                                     headers={"Range": "bytes=-6"})
    assert status == 206 and part == full[-6:]
    assert server.request("GET", f"/api/v1/jobs/{job}/log", token=server.admin,
                          headers={"Range": "bytes=99999-"})[0] == 416
    # follow as Server-Sent Events while it runs; the stream ends when the job does
    events = []

    def follow():
        req = urllib.request.Request(server.url + f"/api/v1/jobs/{job}/log?follow=1",
                                     headers={"Authorization": "Bearer " + server.reader})
        with urllib.request.urlopen(req, timeout=30) as r:
            assert r.headers["Content-Type"] == "text/event-stream"
            for raw in r:
                events.append(raw.decode())

    t = threading.Thread(target=follow)
    t.start()
    assert wait_until(lambda: any("line 4" in e for e in events))
    server.api("POST", f"/pipelines/{pid}/cancel")
    t.join(timeout=20)
    assert not t.is_alive()
    text = "".join(events)
    assert "data: line 0\n" in text and "event: end" in text
    assert "data: quai serve: canceled" in text


def test_sigterm_stops_cleanly_and_restart_requeues(server):
    server.commit("slow")
    _, body = server.api("POST", "/projects/app/trigger", {"branch": "slow"})
    pid = body["pipeline"]
    assert wait_until(lambda: pids_alive(server.pids))
    # a log follower connected while the server stops does not hold it up
    job = wait_until(lambda: server.api("GET", f"/pipelines/{pid}")[1]["jobs"][0]["id"])
    follower = subprocess.Popen(["curl", "-sN", "-H", "Authorization: Bearer " + server.reader,
                                 server.url + f"/api/v1/jobs/{job}/log?follow=1"], stdout=subprocess.PIPE)
    time.sleep(0.5)
    t0 = time.time()
    assert server.stop() == 0
    assert time.time() - t0 < 10
    follower.wait(timeout=10)  # ended, not left hanging (the stream is cut, curl says 18)
    assert not pids_alive(server.pids)
    out = server.output()
    assert "stopped" in out
    server.pids.unlink()
    server.start()
    assert "1 pipeline(s) interrupted by the last stop queued again" in server.output()
    assert wait_until(lambda: pids_alive(server.pids))
    _, p = server.api("GET", f"/pipelines/{pid}")
    assert p["status"] == "running" and p["attempt"] == 1
    server.api("POST", f"/pipelines/{pid}/cancel")
    assert server.wait_pipeline(pid)["status"] == "canceled"


def test_secrets_absent_from_logs_and_api(server):
    sha = server.head()
    _, body, _ = github_push(server, sha)
    p = server.wait_pipeline(json.loads(body)["pipeline"])
    texts = [server.output(), json.dumps(server.api("GET", "/projects")[1]),
             json.dumps(server.api("GET", "/pipelines")[1]), json.dumps(p),
             server.request("GET", "/metrics")[1]]
    for job in p["jobs"]:
        texts.append(server.request("GET", f"/api/v1/jobs/{job['id']}/log", token=server.admin)[1])
    for path in server.data.rglob("*.log"):
        texts.append(path.read_text())
    for t in texts:
        for s in ALL_SECRETS:
            assert s not in t


def test_post_receive_hook(quai_bin, server):
    secret_file = server.tmp / "hook_secret"
    secret_file.write_text(SECRET + "\n")
    r = subprocess.run([quai_bin, "serve", "hook-script", "--server", server.url + "/", "--project", "app",
                        "--secret-file", str(secret_file)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert SECRET not in r.stdout
    hook = server.repo / "hooks" / "post-receive"
    hook.write_text(r.stdout)
    hook.chmod(0o755)
    sha = server.commit("main")
    p = wait_until(lambda: server.pipelines())
    assert p and p[0]["sha"] == sha and p[0]["branch"] == "main"
    assert server.wait_pipeline(p[0]["id"])["status"] == "success"


def test_post_receive_hook_installed_by_quai(quai, quai_bin, server):
    """quai hook install --post-receive: the hook signs each pushed ref with
    the secret read at push time (never on a command line) and the server
    runs the pipeline."""
    secret_file = server.tmp / "hook_secret2"
    secret_file.write_text(SECRET + "\n")
    r = quai("hook", "install", "--post-receive", "--server", server.url + "/", "--project", "app",
             "--secret-file", secret_file, server.repo)
    assert r.returncode == 0, r.stderr
    hook = (server.repo / "hooks" / "post-receive").read_text()
    assert SECRET not in hook and "hook post-receive" in hook and "openssl" not in hook
    sha = server.commit("main")
    p = wait_until(lambda: server.pipelines())
    assert p and p[0]["sha"] == sha and p[0]["branch"] == "main"
    assert server.wait_pipeline(p[0]["id"])["status"] == "success"
    # a wrong secret: the push still succeeds, the hook says the server refused it
    secret_file.write_text("not-the-secret\n")
    r = subprocess.run([quai_bin, "hook", "post-receive", "--server", server.url, "--project", "app",
                        "--secret-file", str(secret_file)], input=f"{'0' * 40} {sha} refs/heads/x\n",
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0
    assert "HTTP 401" in r.stderr and "not-the-secret" not in r.stderr
    r = quai("hook", "install", "--post-receive", "--server", server.url, server.repo)
    assert r.returncode == 2 and "--project" in r.stderr


def test_polling_finds_new_commits(quai_bin, tmp_path):
    s = Server(quai_bin, tmp_path, project_extra="    poll: 1s\n")
    try:
        time.sleep(1.5)  # the first poll only records the heads
        assert s.pipelines() == []
        sha = s.commit("main")
        p = wait_until(lambda: s.pipelines(project="app"), timeout=15)
        assert p and p[0]["sha"] == sha and p[0]["trigger"] == "poll"
        assert s.wait_pipeline(p[0]["id"])["status"] == "success"
    finally:
        s.close()


def test_config_errors(quai, tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("listen: 127.0.0.1:8080\ndata_dir: /tmp/x\nprojects:\n  - name: a\n    url: /r\n    pipelin: file\n")
    r = quai("serve", "check", "--config", bad)
    assert r.returncode == 2
    assert f"{bad}:6:5: 'a': unknown key 'pipelin'" in r.stderr
    bad.write_text("data_dir: /tmp/x\nprojects:\n  - name: a\n    url: /r\n    webhook_secret: {env: QUAI_NOPE_UNSET}\n")
    r = quai("serve", "check", "--config", bad)
    assert r.returncode == 2 and "QUAI_NOPE_UNSET" in r.stderr and ":5:" in r.stderr
    bad.write_text("data_dir: /tmp/x\nprojects:\n  - name: a\n    url: /r\n    schedules: [{cron: '61 * * * *'}]\n")
    r = quai("serve", "check", "--config", bad)
    assert r.returncode == 2 and "minute" in r.stderr and ":5:" in r.stderr
    secret_file = tmp_path / "s"
    secret_file.write_text("topsecret-value-xyz")
    bad.write_text(f"data_dir: x\nprojects:\n  - name: a\n    url: /r\n    webhook_secret: {{file: {secret_file}}}\n")
    r = quai("serve", "check", "--config", bad)
    assert r.returncode == 2 and "absolute" in r.stderr and "topsecret" not in r.stderr
    r = quai("serve", "--config", tmp_path / "missing.yml")
    assert r.returncode == 2 and "missing.yml" in r.stderr


def test_remote_cli(quai, server):
    env = {"QUAI_SERVER": server.url, "QUAI_TOKEN": server.admin}
    r = quai("remote", "trigger", "app", "--branch", "main", env=env)
    assert r.returncode == 0, r.stderr
    pid = int(r.stdout.split()[1])
    server.wait_pipeline(pid)
    r = quai("remote", "list", "--project", "app", env=env)
    assert r.returncode == 0 and r.stdout.splitlines()[1].split()[:4] == [str(pid), "success", "app", "main"]
    r = quai("remote", "logs", str(pid), env=env)
    assert r.returncode == 0 and "line 4" in r.stdout and f"== job" in r.stdout
    r = quai("remote", "retry", str(pid), env=env)
    assert r.returncode == 0 and f"(retry of {pid})" in r.stdout
    # follow a running pipeline to its end; cancel makes it fail the exit status
    server.commit("slow")
    r = quai("remote", "trigger", "app", "--branch", "slow", env=env)
    slow = int(r.stdout.split()[1])
    proc = subprocess.Popen([server.quai_bin, "remote", "logs", "-f", str(slow)], env=dict(os.environ, **env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    job = wait_until(lambda: server.api("GET", f"/pipelines/{slow}")[1]["jobs"][0]["id"])
    assert wait_until(lambda: "line 4" in server.request("GET", f"/api/v1/jobs/{job}/log", token=server.admin)[1])
    r = quai("remote", "cancel", str(slow), env=env)
    assert r.returncode == 0 and "canceling" in r.stdout
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1, err
    assert "line 4" in out and f"== pipeline {slow} canceled" in out, out
    # errors: read-only token, no server, unreachable server
    r = quai("remote", "cancel", str(slow), env={"QUAI_SERVER": server.url, "QUAI_TOKEN": server.reader})
    assert r.returncode == 1 and "HTTP 403" in r.stderr
    r = quai("remote", "list", env={"QUAI_SERVER": "", "QUAI_TOKEN": ""})
    assert r.returncode == 2
    r = quai("remote", "list", "--server", "http://127.0.0.1:1", env={"QUAI_TOKEN": "x"})
    assert r.returncode == 2 and "127.0.0.1:1" in r.stderr


def test_push_over_git_daemon_with_post_receive_hook(quai_bin, tmp_path, forge):
    """The e2e path for a plain bare repository: git daemon on 127.0.0.1
    serving it (push enabled), the server fetching from git://, the
    post-receive hook telling the server, the statuses recorded."""
    import socket
    s = Server(quai_bin, tmp_path, forge=forge)
    daemon = None
    try:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        daemon = subprocess.Popen(["git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack",
                                   f"--base-path={tmp_path}", "--listen=127.0.0.1", f"--port={port}", str(tmp_path)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"git://127.0.0.1:{port}/repo.git"
        assert wait_until(lambda: git("ls-remote", url, check=False).returncode == 0, timeout=10)
        # the project fetches over git:// too
        s.stop()
        s.config.write_text(s.config.read_text().replace(f"    url: {s.repo}\n    default_branch", f"    url: {url}\n    default_branch", 1))
        s.start()
        secret_file = tmp_path / "hook_secret"
        secret_file.write_text(SECRET)
        r = subprocess.run([quai_bin, "serve", "hook-script", "--server", s.url, "--project", "app",
                            "--secret-file", str(secret_file)], capture_output=True, text=True, timeout=30)
        hook = s.repo / "hooks" / "post-receive"
        hook.write_text(r.stdout)
        hook.chmod(0o755)
        git("remote", "set-url", "origin", url, cwd=s.wc)
        sha = s.commit("main")
        p = wait_until(lambda: s.pipelines())
        assert p and p[0]["sha"] == sha
        p = s.wait_pipeline(p[0]["id"])
        assert p["status"] == "success", p
        status, log, _ = s.request("GET", f"/api/v1/jobs/{p['jobs'][0]['id']}/log", token=s.admin)
        assert f"sha={sha}" in log
        _, projects = s.api("GET", "/projects")
        assert projects["projects"][0]["url"] == url
        wait_until(lambda: len([c for c in forge.calls if sha in c["path"]]) >= 2)
        assert [json.loads(c["body"])["state"] for c in forge.calls if sha in c["path"]] == ["pending", "success"]
    finally:
        if daemon:
            daemon.terminate()
            daemon.wait()
        s.close()


def test_base_image_watch(quai_bin, tmp_path):
    """A base's digest moves in the registry: the pipeline runs for exactly
    the images built on it and their dependents, and says which base moved."""
    import http.server
    digests = {"/v2/library/alpine/manifests/3.19": "sha256:" + "a" * 64,
               "/v2/library/debian/manifests/12": "sha256:" + "d" * 64}
    heads = []

    class Registry(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self):
            heads.append(self.path)
            if self.path in digests:
                self.send_response(200)
                self.send_header("Docker-Content-Digest", digests[self.path])
                self.send_header("Content-Type", "application/vnd.oci.image.index.v1+json")
            else:
                self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_HEAD

        def log_message(self, *a):
            pass

    reg = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Registry)
    threading.Thread(target=reg.serve_forever, daemon=True).start()
    host = "127.0.0.1:%d" % reg.server_address[1]
    s = Server(quai_bin, tmp_path, project_extra="    base_watch: 1s\n")
    try:
        for d, text in {"base": f"FROM {host}/library/alpine:3.19\n",
                        "app": "FROM base AS build\nRUN true\nFROM build\n",
                        "deep/tool": "FROM app\n",
                        "other": f"FROM {host}/library/debian:12\nFROM scratch\n",
                        "pinned": f"FROM {host}/library/alpine@sha256:{'b' * 64}\n"}.items():
            (s.wc / d).mkdir(parents=True, exist_ok=True)
            (s.wc / d / "Dockerfile").write_text(text)
        git("add", "-A", cwd=s.wc)
        git("commit", "-q", "-m", "images", cwd=s.wc)
        git("push", "-q", "origin", "main", cwd=s.wc)
        alpine = "/v2/library/alpine/manifests/3.19"
        assert wait_until(lambda: heads.count(alpine) >= 2, timeout=20)
        assert s.pipelines() == []  # first sight only records the digests
        digests[alpine] = "sha256:" + "c" * 64
        p = wait_until(lambda: s.pipelines(), timeout=20)
        assert p, s.output()
        p = s.wait_pipeline(p[0]["id"])
        assert p["trigger"] == "base-image" and p["event"] == "base-image" and p["branch"] == "main"
        assert p["only_images"] == "base,app,tool", p
        assert f"base image {host}/library/alpine:3.19 changed: sha256:{'a' * 64} -> sha256:{'c' * 64}" == p["note"]
        _, log, _ = s.request("GET", f"/api/v1/jobs/{p['jobs'][0]['id']}/log", token=s.admin)
        assert "only images: base,app,tool" in log
        time.sleep(2.5)
        assert len(s.pipelines()) == 1  # the same change is run once
        assert not any("pinned" in h or "sha256:b" in h for h in heads)
    finally:
        s.close()
        reg.shutdown()
        reg.server_close()


class FakeSMTP:
    """Just enough SMTP for libcurl: records each message."""

    def __init__(self):
        import socketserver
        messages = self.messages = []

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                self.wfile.write(b"220 fake ESMTP\r\n")
                rcpt = []
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    cmd = line.decode().strip().upper()
                    if cmd.startswith("EHLO") or cmd.startswith("HELO"):
                        self.wfile.write(b"250-fake\r\n250 AUTH PLAIN\r\n")
                    elif cmd.startswith("AUTH"):
                        if len(cmd.split()) == 2:  # no initial response: ask for it
                            self.wfile.write(b"334 \r\n")
                            self.rfile.readline()
                        self.wfile.write(b"235 ok\r\n")
                    elif cmd.startswith("RCPT"):
                        rcpt.append(line.decode().strip())
                        self.wfile.write(b"250 ok\r\n")
                    elif cmd == "DATA":
                        self.wfile.write(b"354 go\r\n")
                        data = []
                        while True:
                            l = self.rfile.readline()
                            if l in (b".\r\n", b""):
                                break
                            data.append(l.decode())
                        messages.append({"rcpt": rcpt, "data": "".join(data)})
                        self.wfile.write(b"250 queued\r\n")
                    elif cmd == "QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"250 ok\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_mail_on_failure_and_recovery(quai_bin, tmp_path):
    smtp = FakeSMTP()
    extra = (f"    notify_email: {{url: 'smtp://127.0.0.1:{smtp.port}', from: ci@example.com,"
             " to: [dev@example.com, ops@example.com], user: ci, password: mail-pw-Qq12-secret}\n")
    s = Server(quai_bin, tmp_path, project_extra=extra)
    try:
        s.commit("flaky", name="FAIL")
        _, body = s.api("POST", "/projects/app/trigger", {"branch": "flaky"})
        p = s.wait_pipeline(body["pipeline"])
        assert p["status"] == "failed"
        assert wait_until(lambda: smtp.messages, timeout=15)
        m = smtp.messages[0]
        assert m["rcpt"] == ["RCPT TO:<dev@example.com>", "RCPT TO:<ops@example.com>"]
        assert f"Subject: [quai] app flaky: pipeline {p['id']} failed" in m["data"]
        assert f"Commit: {p['sha']}" in m["data"]
        # fixed: one recovery mail; a second success sends none
        git("rm", "-q", "FAIL", cwd=s.wc)
        git("commit", "-q", "-m", "fix", cwd=s.wc)
        git("push", "-q", "origin", "flaky", cwd=s.wc)
        for _ in range(2):
            _, body = s.api("POST", "/projects/app/trigger", {"branch": "flaky"})
            assert s.wait_pipeline(body["pipeline"])["status"] == "success"
        assert wait_until(lambda: len(smtp.messages) == 2, timeout=15)
        time.sleep(0.5)
        assert len(smtp.messages) == 2
        assert "is back to success" in smtp.messages[1]["data"]
        assert "mail-pw-Qq12-secret" not in s.output()
    finally:
        s.close()
        smtp.close()


def test_newer_push_cancels_older_pipeline(quai_bin, tmp_path):
    s = Server(quai_bin, tmp_path, project_extra="    cancel_previous: true\n")
    try:
        sha = s.commit("slow")
        _, body, _ = github_push(s, sha, branch="slow")
        first = json.loads(body)["pipeline"]
        assert wait_until(lambda: pids_alive(s.pids))
        _, body, _ = github_push(s, sha, branch="slow")
        second = json.loads(body)["pipeline"]
        _, body, _ = github_push(s, sha, branch="slow")
        third = json.loads(body)["pipeline"]
        p = s.wait_pipeline(first, timeout=20)
        assert p["status"] == "canceled"
        p = s.wait_pipeline(second, timeout=20)
        assert p["status"] == "canceled" and p["message"] == "superseded by a newer pipeline"
        _, p = s.api("GET", f"/pipelines/{third}")
        assert p["status"] in ("queued", "running")
        s.api("POST", f"/pipelines/{third}/cancel")
        assert s.wait_pipeline(third)["status"] == "canceled"
        # another branch is left alone
        _, body, _ = github_push(s, s.head("main"), branch="main")
        assert s.wait_pipeline(json.loads(body)["pipeline"])["status"] == "success"
    finally:
        s.close()
