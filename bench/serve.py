#!/usr/bin/env python3
"""The measurements of bench/serve.sh (see bench/README.md, `bench/serve.sh`).

A `quai serve` (release build) on 127.0.0.1 with a temporary data_dir and
three projects: `bench` (paused: webhooks are accepted and queued, nothing
runs, so that the server's own cost is measured), `lat` (runs `true`, for
the webhook-to-first-job-start latency) and `follow` (a job that prints a
line every 50 ms, for the log followers).

1. idle RSS two seconds after start;
2. N concurrent SSE followers of a running job: every follower must see
   every line and the end event; RSS while they follow;
3. wrk against /hooks/bench for D seconds with valid signed GitHub push
   payloads, a new delivery id per request: accepted per second, non-2xx,
   socket errors, RSS at load (VmHWM);
4. kill -9 right after wrk, then the store is counted with sqlite3: every
   202 must be a queued pipeline (durable before the answer);
5. latency from webhook to the first job's start (the store's created and
   started times), median of M, against gitlab-ci-local's time to run a
   one-job pipeline with the shell executor (npm gitlab-ci-local, cached in
   $QUAI_BENCH_NPM), and Woodpecker's published idle memory.
"""
import argparse
import hashlib
import hmac
import http.client
import json
import os
import pathlib
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid

SECRET = "bench-secret"
WOODPECKER_IDLE_MB = 100 + 30  # server + agent, from Woodpecker's documentation


def rss_kb(pid, field="VmRSS"):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def git(*args, cwd=None):
    env = dict(os.environ, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@example.com", GIT_COMMITTER_NAME="b",
               GIT_COMMITTER_EMAIL="b@example.com")
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


class Server:
    def __init__(self, quai, tmp):
        self.quai, self.tmp = quai, tmp
        self.repo = tmp / "repo.git"
        wc = tmp / "wc"
        git("init", "-q", "--bare", "-b", "main", str(self.repo))
        git("init", "-q", "-b", "main", str(wc))
        (wc / "README").write_text("bench\n")
        git("add", "-A", cwd=wc)
        git("commit", "-q", "-m", "x", cwd=wc)
        git("push", "-q", str(self.repo), "main", cwd=wc)
        self.sha = git("rev-parse", "HEAD", cwd=wc).strip()
        printer = tmp / "printer.sh"
        printer.write_text("#!/bin/sh\ni=0\nwhile [ $i -lt ${LINES_TO_PRINT:-120} ]; do echo \"line $i\"; i=$((i+1));"
                           " sleep 0.05; done\n")
        printer.chmod(0o755)
        self.config = tmp / "server.yml"
        self.config.write_text(
            "listen: 127.0.0.1:0\n"
            f"data_dir: {tmp / 'data'}\n"
            "max_connections: 2048\n"
            "projects:\n"
            f"  - {{name: bench, url: {self.repo}, webhook_secret: {SECRET}, paused: true}}\n"
            f"  - {{name: lat, url: {self.repo}, webhook_secret: {SECRET}, command: ['true']}}\n"
            f"  - {{name: follow, url: {self.repo}, webhook_secret: {SECRET}, command: [{printer}]}}\n")
        self.token = subprocess.run([quai, "serve", "token", "create", "-c", str(self.config), "--role", "admin"],
                                    check=True, capture_output=True, text=True).stdout.strip()
        self.start()

    def start(self):
        self.log = open(self.tmp / "serve.log", "a+")
        self.proc = subprocess.Popen([self.quai, "serve", "-c", str(self.config)], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        for _ in range(400):
            self.log.seek(0)
            text = self.log.read()
            if "listening on http://" in text:
                self.url = text.split("listening on ")[1].split("/ ")[0]
                self.port = int(self.url.rsplit(":", 1)[1])
                return
            time.sleep(0.025)
        raise SystemExit("quai serve did not start:\n" + text)

    def api(self, method, path, body=None):
        req = urllib.request.Request(self.url + "/api/v1" + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": "Bearer " + self.token})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def hook(self, project):
        body = json.dumps({"ref": "refs/heads/main", "before": "0" * 40, "after": self.sha}).encode()
        sig = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        req = urllib.request.Request(self.url + "/hooks/" + project, data=body, method="POST", headers={
            "X-GitHub-Event": "push", "X-GitHub-Delivery": str(uuid.uuid4()), "X-Hub-Signature-256": sig})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def wait(self, pid, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            p = self.api("GET", f"/pipelines/{pid}")
            if p["status"] not in ("queued", "running"):
                return p
            time.sleep(0.02)
        raise SystemExit(f"pipeline {pid} did not finish")


def followers(server, n):
    pid = server.hook("follow")["pipeline"]
    job = None
    while not job:
        jobs = server.api("GET", f"/pipelines/{pid}")["jobs"]
        job = jobs[0]["id"] if jobs and jobs[0]["status"] == "running" else None
        time.sleep(0.02)
    results = [None] * n
    peak = [0]

    def follow(i):
        c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        c.request("GET", f"/api/v1/jobs/{job}/log?follow=1", headers={"Authorization": "Bearer " + server.token})
        r = c.getresponse()
        data = r.read().decode()
        results[i] = data
        c.close()

    threads = [threading.Thread(target=follow, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        peak[0] = max(peak[0], rss_kb(server.proc.pid))
        time.sleep(0.1)
    ok = sum(1 for r in results if r and "data: line 119" in r and "event: end" in r)
    return ok, peak[0]


WRK_LUA = r'''
local counter = 0
local threads = {}
setup = function(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
init = function(args)
  n = 0
end
request = function()
  n = n + 1
  local headers = {}
  headers["Content-Type"] = "application/json"
  headers["X-GitHub-Event"] = "push"
  headers["X-Hub-Signature-256"] = SIG
  headers["X-GitHub-Delivery"] = RUN .. "-" .. tid .. "-" .. n
  return wrk.format("POST", nil, headers, BODY)
end
done = function(summary, latency, requests)
  io.write(string.format("WRK requests=%d non2xx=%d connect=%d read=%d write=%d timeout=%d seconds=%.3f p50=%d p99=%d\n",
    summary.requests, summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, summary.duration / 1e6,
    latency:percentile(50), latency:percentile(99)))
end
'''


def load(server, seconds, connections, threads):
    body = json.dumps({"ref": "refs/heads/main", "before": "0" * 40, "after": server.sha})
    sig = "sha256=" + hmac.new(SECRET.encode(), body.encode(), hashlib.sha256).hexdigest()
    script = server.tmp / "hooks.lua"
    script.write_text(f"BODY = {json.dumps(body)}\nSIG = {json.dumps(sig)}\nRUN = {json.dumps(uuid.uuid4().hex)}\n"
                      + WRK_LUA)
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "-s", str(script),
                          "--latency", server.url + "/hooks/bench"], capture_output=True, text=True, check=True).stdout
    line = next(l for l in out.splitlines() if l.startswith("WRK "))
    return {k: float(v) for k, v in (kv.split("=") for kv in line[4:].split())}


def gitlab_ci_local_seconds(runs):
    npm_dir = pathlib.Path(os.environ.get("QUAI_BENCH_NPM", "/tmp/quai-bench-npm"))
    gcl = npm_dir / "node_modules" / ".bin" / "gitlab-ci-local"
    if not gcl.exists():
        if not shutil.which("npm"):
            return None
        npm_dir.mkdir(parents=True, exist_ok=True)
        r = subprocess.run(["npm", "install", "--prefix", str(npm_dir), "--no-audit", "--no-fund",
                            "gitlab-ci-local@4.75.1"], capture_output=True, text=True)
        if r.returncode != 0 or not gcl.exists():
            print("bench: could not install gitlab-ci-local: " + r.stderr[-300:], file=sys.stderr)
            return None
    times = []
    with tempfile.TemporaryDirectory() as d:
        git("init", "-q", "-b", "main", d)
        pathlib.Path(d, ".gitlab-ci.yml").write_text("job:\n  script:\n    - 'true'\n")
        git("add", "-A", cwd=d)
        git("commit", "-q", "-m", "x", cwd=d)
        for _ in range(runs):
            t0 = time.monotonic()
            subprocess.run([str(gcl), "--cwd", d, "--shell-executor-no-image", "job"], capture_output=True, text=True)
            times.append(time.monotonic() - t0)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quai", required=True)
    ap.add_argument("-d", "--seconds", type=int, default=30)
    ap.add_argument("-c", "--connections", type=int, default=32)
    ap.add_argument("-t", "--threads", type=int, default=2)
    ap.add_argument("--followers", type=int, default=200)
    ap.add_argument("--latency-runs", type=int, default=20)
    args = ap.parse_args()
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="quai-bench-serve-"))
    server = Server(args.quai, tmp)
    res = {}
    try:
        time.sleep(2)
        res["idle_rss_mb"] = rss_kb(server.proc.pid) / 1024
        ok, peak = followers(server, args.followers)
        res["followers_ok"] = ok
        res["followers_rss_mb"] = peak / 1024
        # latency before the load: the store is small
        lat = []
        for _ in range(args.latency_runs):
            p = server.wait(server.hook("lat")["pipeline"])
            lat.append(p["jobs"][0]["started"] - p["created"])
        res["latency_ms_median"] = statistics.median(lat)
        time.sleep(1)
        res["idle_after_runs_rss_mb"] = rss_kb(server.proc.pid) / 1024
        res["idle_after_runs_anon_mb"] = rss_kb(server.proc.pid, "RssAnon") / 1024
        res["idle_after_runs_file_mb"] = rss_kb(server.proc.pid, "RssFile") / 1024
        w = load(server, args.seconds, args.connections, args.threads)
        res.update({"wrk_" + k: v for k, v in w.items()})
        res["load_rss_mb"] = rss_kb(server.proc.pid, "VmHWM") / 1024
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait()
        db = sqlite3.connect(tmp / "data" / "quai.db")
        res["durable_pipelines"] = db.execute("SELECT count(*) FROM pipelines WHERE project='bench'").fetchone()[0]
        db.close()
    finally:
        if server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait()
    res["gitlab_ci_local_s"] = gitlab_ci_local_seconds(5)
    shutil.rmtree(tmp, ignore_errors=True)

    accepted = res["wrk_requests"] - res["wrk_non2xx"]
    rate = accepted / res["wrk_seconds"]
    errors = res["wrk_non2xx"] + res["wrk_connect"] + res["wrk_read"] + res["wrk_write"] + res["wrk_timeout"]
    print(f"{'measure':44} {'quai serve':>12} {'target/peer':>14} {'ratio':>8}")
    print(f"{'webhooks accepted per second (wrk, ' + str(args.seconds) + ' s)':44} {rate:12.0f} {'>= 2000':>14} {rate / 2000:8.2f}")
    print(f"{'errors (non-2xx + socket)':44} {errors:12.0f} {'0':>14}")
    print(f"{'accepted webhooks in the store after kill -9':44} {res['durable_pipelines']:12d} {accepted:14.0f}"
          f" {res['durable_pipelines'] / accepted if accepted else 0:8.3f}")
    print(f"{'latency p50 / p99 (ms)':44} {res['wrk_p50'] / 1000:6.2f}/{res['wrk_p99'] / 1000:5.1f}")
    print(f"{'SSE followers that saw every line':44} {res['followers_ok']:12d} {args.followers:14d}")
    print(f"{'idle RSS (MB)':44} {res['idle_rss_mb']:12.1f} {'< 15':>14} {res['idle_rss_mb'] / 15:8.2f}")
    print(f"{'idle RSS after pipelines ran (MB)':44} {res['idle_after_runs_rss_mb']:12.1f} {'< 15':>14}"
          f" {res['idle_after_runs_rss_mb'] / 15:8.2f}")
    print(f"{'  of which anonymous / shared-library pages':44} {res['idle_after_runs_anon_mb']:6.1f}/"
          f"{res['idle_after_runs_file_mb']:5.1f}")
    print(f"{'RSS with followers (MB)':44} {res['followers_rss_mb']:12.1f} {'< 40':>14} {res['followers_rss_mb'] / 40:8.2f}")
    print(f"{'peak RSS under wrk load (MB)':44} {res['load_rss_mb']:12.1f} {'< 40':>14} {res['load_rss_mb'] / 40:8.2f}")
    print(f"{'idle RSS vs Woodpecker server+agent (MB)':44} {res['idle_rss_mb']:12.1f} {WOODPECKER_IDLE_MB:14d}"
          f" {res['idle_rss_mb'] / WOODPECKER_IDLE_MB:8.3f}")
    lat_s = res["latency_ms_median"] / 1000
    gcl = res["gitlab_ci_local_s"]
    if gcl:
        print(f"{'webhook -> job start (s) vs gitlab-ci-local run':44} {lat_s:12.3f} {gcl:14.3f} {lat_s / gcl:8.3f}")
    else:
        print(f"{'webhook -> job start (s)':44} {lat_s:12.3f} {'(no npm)':>14}")
    out = pathlib.Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / f"serve-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
