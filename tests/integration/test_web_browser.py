"""The web UI in a real browser: Debian's chromium driven by playwright-core
(`npm install --prefix tests/integration/browser`), against a real `quai serve`
running pipelines: the projects page lists the project, a commit message
holding <script> is shown as text, a running job's log grows live, the
Cancel button cancels, a read-only user sees no buttons. Screenshots of
each page go to QUAI_WEB_SHOTS (default: the test's temporary directory).
Skipped when chromium or playwright-core is not installed."""
import json
import os
import pathlib
import shutil
import subprocess

import pytest

from serve_env import git
from test_web import HOSTILE, PASSWORD, run_pipeline, web  # noqa: F401 (fixture)

HERE = pathlib.Path(__file__).resolve().parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
NODE = shutil.which("node")
PLAYWRIGHT = HERE / "browser" / "node_modules" / "playwright-core"

pytestmark = pytest.mark.skipif(
    not (os.path.exists(CHROMIUM) and NODE and PLAYWRIGHT.exists()),
    reason="needs chromium, node and playwright-core (npm install --prefix tests/integration/browser)")


def test_browser(web, tmp_path):  # noqa: F811
    (web.wc / "x.txt").write_text("x")
    git("add", "-A", cwd=web.wc)
    git("commit", "-q", "-m", HOSTILE, cwd=web.wc)
    git("push", "-q", "origin", "main", cwd=web.wc)
    hostile = run_pipeline(web)
    web.commit("slow")
    status, body = web.api("POST", "/projects/app/trigger", {"branch": "slow"})
    live = body["pipeline"]
    web.wait_pipeline(live, states=("running",))
    job = web.api("GET", f"/pipelines/{live}")[1]["jobs"][0]["id"]
    shots = pathlib.Path(os.environ.get("QUAI_WEB_SHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    cfg = tmp_path / "e2e.json"
    cfg.write_text(json.dumps({"url": web.url, "password": PASSWORD, "chromium": CHROMIUM, "shots": str(shots),
                               "hostile_pipeline": hostile["id"], "live_pipeline": live, "live_job": job}))
    r = subprocess.run([NODE, str(HERE / "browser" / "web_e2e.mjs"), str(cfg)], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert "app" in out["projects"] and "main" in out["projects"]
    assert HOSTILE in out["message"]  # shown as text
    assert "dialog" not in out  # and never run
    assert [s for s in out["scripts"] if not s.endswith("/assets/quai.js")] == []
    assert out["live_later"] >= out["live_first"] + 5 and "slow 3" in out["live_text"]
    assert out["after_cancel_url"].endswith(f"/pipelines/{live}")
    assert web.wait_pipeline(live)["status"] == "canceled"
    assert out["reader_buttons"] == [] and out["reader_all_buttons"] == ["Sign out"]
    for name in ("projects.png", "pipeline.png", "job-log.png", "projects-phone.png"):
        assert (shots / name).stat().st_size > 1000
