#!/usr/bin/env python3
"""The web UI of quai serve against the bars of issue 8 (no peer runs here:
the bars are the reference, printed side by side with a ratio):

- the pipeline page of a run whose report has 50 images renders in < 10 ms
  (median time to the last byte over 200 GETs on one keep-alive connection);
- a 100 MB job log opens in < 1 s (its last page, server side), and the
  server's RSS does not grow with the log's size;
- 200 browsers following the same live log cost the server < 20 MB.

usage: bench/web.sh [--quai BUILD/src/cli/quai] [--log-mb 100] [--followers 200]"""
import argparse
import http.client
import json
import pathlib
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from serve_env import Server  # noqa: E402

STANDIN = r'''#!/usr/bin/env python3
import json, os, sys, time
images = [{"name": "img%02d" % i, "reasons": ["img%02d/Dockerfile changed" % i],
           "depends_on": ["img%02d" % (i - 1)] if i % 5 else [], "version": "1.%d.0" % i,
           "refs": [{"ref": "reg.example/img%02d:1.%d.0" % (i, i), "digest": "sha256:" + "b" * 64, "pushed": True}],
           "digest": "sha256:" + "b" * 64, "build": {"status": "success", "seconds": 1.0},
           "lint": {"status": "success", "seconds": 0.1, "note": "Dockerfile:3:1 DL3008"},
           "test": {"status": "success", "seconds": 0.5}, "push": {"status": "success", "seconds": 0.2}}
          for i in range(50)]
with open(sys.argv[1], "w") as f:
    json.dump({"images": images}, f)
print("built 50 images", flush=True)
if os.environ.get("QUAI_BRANCH") == "slow":
    for i in range(100000):
        print("follow line %d" % i, flush=True)
        time.sleep(0.05)
'''
PASSWORD = "bench password 1"


def rss_kb(pid, field="VmRSS"):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class Client:
    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        self.cookie = ""

    def request(self, method, path, body=None, headers=None):
        h = dict(headers or {})
        if self.cookie:
            h["Cookie"] = self.cookie
        self.conn.request(method, path, body=body, headers=h)
        r = self.conn.getresponse()
        data = r.read()
        c = r.getheader("Set-Cookie")
        if c:
            self.cookie = c.split(";")[0]
        return r.status, data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quai", default=str(ROOT / "build-bench" / "src" / "cli" / "quai"))
    ap.add_argument("--log-mb", type=int, default=100)
    ap.add_argument("--followers", type=int, default=200)
    a = ap.parse_args()
    import subprocess
    with tempfile.TemporaryDirectory() as tmp:
        standin = pathlib.Path(tmp) / "bench_standin.py"
        standin.write_text(STANDIN)
        s = Server(a.quai, tmp, use_standin=False, project_extra=f"    command: [python3, {standin}, '{{report}}']\n",
                   top_extra="max_connections: 1024\n")
        try:
            subprocess.run([a.quai, "web", "user", "--config", str(s.config), "admin"], input=PASSWORD + "\n",
                           text=True, check=True, env=s.env)
            _, body = s.api("POST", "/projects/app/trigger", {"branch": "main"})
            p = s.wait_pipeline(body["pipeline"])
            c = Client(s.url)
            c.request("POST", "/login", f"user=admin&password={urllib.parse.quote(PASSWORD)}",
                      {"Content-Type": "application/x-www-form-urlencoded"})
            times = []
            for _ in range(200):
                t = time.perf_counter()
                st, page = c.request("GET", f"/pipelines/{p['id']}")
                times.append(time.perf_counter() - t)
                assert st == 200 and b"img49" in page
            page_ms = statistics.median(times) * 1000
            # a big log in place of the job's
            job = p["jobs"][0]["id"]
            log = next((pathlib.Path(tmp) / "data" / "logs").rglob("*.log"))
            rss0 = rss_kb(s.proc.pid)
            line = ("\x1b[32mok\x1b[0m step output " + "x" * 60 + "\n").encode()
            with open(log, "wb") as f:
                n = a.log_mb * 1024 * 1024 // len(line)
                chunk = line * 1000
                for _ in range(n // 1000):
                    f.write(chunk)
            t = time.perf_counter()
            st, page = c.request("GET", f"/jobs/{job}")
            log_s = time.perf_counter() - t
            assert st == 200 and b"step output" in page
            t = time.perf_counter()
            c.request("GET", f"/jobs/{job}?page=1")
            log_first_s = time.perf_counter() - t
            rss_log = rss_kb(s.proc.pid)
            # followers of one live log
            s.commit("slow")
            _, body = s.api("POST", "/projects/app/trigger", {"branch": "slow"})
            live = body["pipeline"]
            s.wait_pipeline(live, states=("running",))
            ljob = s.api("GET", f"/pipelines/{live}")[1]["jobs"][0]["id"]
            time.sleep(0.5)
            rss_before = rss_kb(s.proc.pid)
            got = [0] * a.followers
            stop = threading.Event()

            def follow(i):
                u = urllib.parse.urlparse(s.url)
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
                conn.request("GET", f"/jobs/{ljob}/log?follow=1", headers={"Cookie": c.cookie})
                r = conn.getresponse()
                while not stop.is_set():
                    ln = r.readline()
                    if not ln:
                        break
                    if ln.startswith(b"data: follow line"):
                        got[i] += 1
                conn.close()

            threads = [threading.Thread(target=follow, args=(i,), daemon=True) for i in range(a.followers)]
            for th in threads:
                th.start()
            deadline = time.time() + 30
            while time.time() < deadline and min(got) < 20:
                time.sleep(0.2)
            peak = rss_kb(s.proc.pid)
            receiving = sum(1 for g in got if g >= 20)
            stop.set()
            s.api("POST", f"/pipelines/{live}/cancel")
        finally:
            s.close()
    res = {"pipeline_page_ms": page_ms, "log_last_page_s": log_s, "log_first_page_s": log_first_s,
           "rss_growth_big_log_mb": (rss_log - rss0) / 1024, "followers_extra_mb": (peak - rss_before) / 1024,
           "followers_receiving": receiving}
    print(json.dumps(res))
    print(f"{'measure (quai: ' + a.quai + ')':58}")
    print(f"{'':44} {'quai':>12} {'bar':>10} {'ratio':>8}")
    print(f"{'pipeline page, 50 images (ms, median)':44} {page_ms:12.2f} {'< 10':>10} {page_ms / 10:8.2f}")
    print(f"{f'{a.log_mb} MB log, last page (s)':44} {log_s:12.3f} {'< 1':>10} {log_s:8.2f}")
    print(f"{f'{a.log_mb} MB log, first page (s)':44} {log_first_s:12.3f} {'< 1':>10} {log_first_s:8.2f}")
    print(f"{'RSS growth after opening it (MB)':44} {res['rss_growth_big_log_mb']:12.1f} {'~0':>10}")
    print(f"{f'{a.followers} followers of one log, extra RSS (MB)':44} {res['followers_extra_mb']:12.1f}"
          f" {'< 20':>10} {res['followers_extra_mb'] / 20:8.2f}")
    print(f"{'followers that received lines':44} {receiving:12d} {a.followers:>10}")


if __name__ == "__main__":
    main()
