"""Faults of `quai serve`: kill -9 with pipelines queued and running, then
a restart (no accepted webhook lost, every interrupted job accounted for,
nothing left running), a log directory that cannot be written, a fetch
that fails, and a job that outlives its timeout."""
import json
import signal
import time
import uuid

from serve_env import Server, github_push, pids_alive, wait_until


def test_kill9_with_pipelines_queued_and_running(quai_bin, tmp_path):
    # gc_after_crash runs `quai gc`: pointed at no engine, so that it
    # cannot touch anything of the shared test engine, it must fail clearly
    s = Server(quai_bin, tmp_path, project_extra="    concurrency: 4\n", top_extra="gc_after_crash: true\n",
               env={"DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock"})
    try:
        sha = s.commit("slow")
        accepted = []
        for _ in range(50):
            status, body, _ = github_push(s, sha, branch="slow", delivery=str(uuid.uuid4()))
            assert status == 202, body
            accepted.append(json.loads(body)["pipeline"])
        assert wait_until(lambda: len(pids_alive(s.pids)) == 4, timeout=30)
        running = sorted(p["id"] for p in s.pipelines(status="running", limit=100))
        assert len(running) == 4
        s.stop(signal.SIGKILL)
        orphans = pids_alive(s.pids)
        assert orphans  # the jobs outlive a SIGKILLed server...
        s.start()
        # ...until it starts again and stops them
        assert wait_until(lambda: not set(orphans) & set(pids_alive(s.pids)), timeout=10)
        out = s.output()
        assert "4 pipeline(s) interrupted by the last stop queued again" in out
        assert out.count("left running by pipeline") == 4
        assert "quai gc after the crash did not succeed" in out
        every = {p["id"]: p for p in s.pipelines(limit=100)}
        assert sorted(every) == sorted(accepted)  # no accepted webhook lost
        for pid in running:
            assert every[pid]["attempt"] == 1
            assert every[pid]["status"] in ("queued", "running")
        assert all(p["status"] in ("queued", "running") for p in every.values())
        for pid in accepted:
            s.api("POST", f"/pipelines/{pid}/cancel")
        for pid in accepted:
            assert s.wait_pipeline(pid)["status"] == "canceled"
        assert s.stop() == 0
        assert not pids_alive(s.pids)
    finally:
        s.close()


def test_unwritable_log_dir_fails_the_job(quai_bin, tmp_path):
    s = Server(quai_bin, tmp_path)
    try:
        (s.data / "logs" / "1").write_text("a file where the pipeline's log directory goes")
        status, body, _ = github_push(s, s.head())
        p = s.wait_pipeline(json.loads(body)["pipeline"])
        assert p["id"] == 1 and p["status"] == "failed"
        assert "cannot write the log" in p["message"]
        # the server goes on
        status, body, _ = github_push(s, s.head())
        assert s.wait_pipeline(json.loads(body)["pipeline"])["status"] == "success"
    finally:
        s.close()


def test_fetch_failure_and_timeout(quai_bin, tmp_path):
    extra = ("  - name: gone\n"
             f"    url: {tmp_path}/no-such-repo.git\n"
             "    webhook_secret: x\n"
             "    command: [true]\n")
    s = Server(quai_bin, tmp_path, extra_projects=extra, project_extra="    timeout: 1s\n")
    try:
        status, body = s.api("POST", "/projects/gone/trigger", {"branch": "main"})
        p = s.wait_pipeline(body["pipeline"])
        assert p["status"] == "failed" and "no-such-repo" in p["message"]
        s.commit("slow")
        status, body = s.api("POST", "/projects/app/trigger", {"branch": "slow"})
        t0 = time.time()
        p = s.wait_pipeline(body["pipeline"], timeout=20)
        assert p["status"] == "failed" and "timed out after 1 s" in p["message"]
        assert time.time() - t0 < 10
        assert wait_until(lambda: not pids_alive(s.pids), timeout=10)
    finally:
        s.close()


def test_paused_project_queues_and_holds_no_one_up(quai_bin, tmp_path):
    from serve_env import GITLAB_SECRET
    s = Server(quai_bin, tmp_path, project_extra="    paused: true\n", top_extra="concurrency: 1\n")
    try:
        sha = s.head()
        for _ in range(5):
            assert github_push(s, sha)[0] == 202
        push = json.dumps({"object_kind": "push", "ref": "refs/heads/main", "after": sha}).encode()
        status, text, _ = s.request("POST", "/hooks/lab", push, {
            "X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": GITLAB_SECRET, "X-Gitlab-Event-UUID": "u-1"})
        assert status == 202, text
        assert s.wait_pipeline(json.loads(text)["pipeline"])["status"] == "success"
        assert len(s.pipelines(project="app", status="queued")) == 5
        _, metrics, _ = s.request("GET", "/metrics")
        assert "quai_queue_length 5\n" in metrics
        assert 'quai_pipelines{status="queued"} 5' in metrics
    finally:
        s.close()
