"""`quai serve` running the real `quai run` (no `command:`), against the test
environment's engine and registry: a push arrives as a webhook, the image
is built, tested and pushed, the statuses are recorded. Skipped while this
quai has no `run` command (issue 4's branch not merged yet)."""
import json
import subprocess
import urllib.request
import base64
import uuid

import pytest

from serve_env import Forge, Server, git, github_push, wait_until


@pytest.fixture
def has_run(quai_bin):
    r = subprocess.run([quai_bin, "help", "run"], capture_output=True, text=True, timeout=30)
    if r.returncode != 0 or "--report" not in r.stdout:
        pytest.skip("this quai has no `quai run --report` yet")


def tags(registry, repo):
    req = urllib.request.Request(f"http://{registry['host']}/v2/{repo}/tags/list", headers={
        "Authorization": "Basic " + base64.b64encode(f"{registry['user']}:{registry['password']}".encode()).decode()})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return sorted(json.loads(r.read())["tags"] or [])
    except urllib.error.HTTPError:
        return []


def test_push_builds_and_pushes_with_quai_run(has_run, quai_bin, docker_env, registry, busybox_image, tmp_path):
    ns = "qs" + uuid.uuid4().hex[:8]
    forge = Forge()
    cfg = tmp_path / "docker-config"
    cfg.mkdir()
    files = {"quai.yml": f"registry: {registry['host']}\nnamespace: {ns}\n",
             "hello/Dockerfile": f"FROM {busybox_image}\nUSER 0\nRUN echo hello > /hello.txt\nUSER 10001\n"}
    s = Server(quai_bin, tmp_path, forge=forge, files=files, use_standin=False,
               registry=(registry["host"], registry["user"], registry["password"]),
               env={"DOCKER_HOST": docker_env["DOCKER_HOST"], "DOCKER_CONFIG": str(cfg), "HOME": str(tmp_path)})
    try:
        sha = s.head()
        status, body, _ = github_push(s, sha)
        assert status == 202, body
        p = s.wait_pipeline(json.loads(body)["pipeline"], timeout=300)
        _, log, _ = s.request("GET", f"/api/v1/jobs/{p['jobs'][0]['id']}/log", token=s.admin)
        assert p["status"] == "success", log
        job = p["jobs"][0]
        assert job["report"]["commit"] == sha and job["report"]["status"] == "success"
        assert [i["name"] for i in job["report"]["images"]] == ["hello"]
        assert sha[:7] in tags(registry, f"{ns}/hello") and "latest" in tags(registry, f"{ns}/hello")
        # the version tag went to the project's own remote, not to the server's mirror
        assert "hello/v0.1.0" in git("tag", "-l", cwd=s.wc, check=False).stdout or \
            "hello/v0.1.0" in git("--git-dir", str(s.repo), "tag", "-l").stdout
        wait_until(lambda: len([c for c in forge.calls if sha in c["path"]]) >= 2)
        assert [json.loads(c["body"])["state"] for c in forge.calls if sha in c["path"]] == ["pending", "success"]
        assert registry["password"] not in s.output() and registry["password"] not in log
        # the histograms count the pipeline once its worker is done, just after its status is stored
        metrics = wait_until(lambda: (lambda m: m if "quai_pipeline_duration_seconds_count 1\n" in m else None)(
            s.request("GET", "/metrics")[1]))
        assert metrics, s.request("GET", "/metrics")[1]
        assert "quai_build_duration_seconds_count 1\n" in metrics
        assert "quai_push_duration_seconds_count 1\n" in metrics
    finally:
        s.close()
        forge.close()
