"""quai pipeline run on the docker executor against the test engine: the
checkout at CI_PROJECT_DIR, artifacts and dotenv between containers, cache,
a service reachable by its alias, the Docker socket only where an executor
says docker_socket: true, timeout and SIGTERM removing everything, and no
io.quai.run container or network left behind."""
import json
import signal
import subprocess
import time
import urllib.parse

import pytest

from testenv import engine_request, wait_until
from test_pipeline_run import project, run, statuses


def leftovers(env):
    filt = urllib.parse.quote(json.dumps({"label": ["io.quai.run"]}))
    found = []
    for path in (f"/containers/json?all=1&filters={filt}", f"/networks?filters={filt}"):
        status, body = engine_request(env, "GET", path)
        assert status == 200, body
        found += [o["Id"] for o in json.loads(body)]
    return found


@pytest.fixture
def dquai(quai, docker_env):
    def go(*args, **kw):
        kw.setdefault("env", {})
        kw["env"].update(docker_env)
        return quai(*args, **kw)
    return go


def drun(dquai, d, *args, timeout=120):
    report = d.parent / "report.json"
    r = dquai("pipeline", "run", "--report", report, *args, d, timeout=timeout)
    return r, (json.loads(report.read_text()) if report.exists() else None)


def test_docker_jobs_artifacts_dotenv_no_socket(dquai, docker_env, busybox_image, tmp_path):
    d = project(tmp_path, f"""
stages: [build, test]
default:
  image: {busybox_image}
build:
  stage: build
  script:
    - echo "dir=$CI_PROJECT_DIR pwd=$(pwd)"
    - cat hello.txt
    - mkdir -p out && echo from-container > out/a.txt
    - echo "BUILT=yes" > b.env
    - test -S /var/run/docker.sock && echo has-socket || echo no-socket
  artifacts:
    paths: [out/]
    reports: {{dotenv: b.env}}
  cache: {{key: c1, paths: [cache/]}}
  after_script: ["mkdir -p cache && echo cached > cache/c.txt"]
test:
  stage: test
  script:
    - cat out/a.txt
    - echo "built=$BUILT"
    - echo "secret=$PASS"
""", {"hello.txt": "hello from the checkout\n"})
    r, rep = drun(dquai, d, "--variable", "PASS=hunter2xyz", "--masked", "PASS")
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert f"dir=/builds/local/proj pwd=/builds/local/proj" in out
    assert "hello from the checkout" in out
    assert "| no-socket" in out and "| has-socket" not in out
    assert "from-container" in out and "built=yes" in out
    assert "secret=[MASKED]" in out and "hunter2xyz" not in out
    assert statuses(rep) == {"build": "success", "test": "success"}
    assert leftovers(docker_env) == []


def test_service_alias_reachable(dquai, docker_env, busybox_image, http_image, tmp_path):
    d = project(tmp_path, f"""
web:
  image: {busybox_image}
  services:
    - name: {http_image}
      alias: websvc
  script:
    - wget -qO- http://websvc:8080/
""")
    r, rep = drun(dquai, d)
    assert r.returncode == 0, r.stdout + r.stderr
    assert statuses(rep) == {"web": "success"}
    assert leftovers(docker_env) == []


def test_docker_socket_when_executor_says_so(dquai, docker_env, busybox_image, tmp_path):
    d = project(tmp_path, f"""
dind:
  image: {busybox_image}
  tags: [socket]
  script:
    - test -S /var/run/docker.sock && echo has-socket
""", {"quai.yml": "executors:\n  - {name: d, type: docker, tags: [socket], docker_socket: true}\n"})
    r, rep = drun(dquai, d)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "has-socket" in r.stdout


def test_unknown_tags_fail_the_job(dquai, busybox_image, tmp_path):
    d = project(tmp_path, f"""
job:
  image: {busybox_image}
  tags: [gpu]
  script: ["true"]
""", {"quai.yml": "executors:\n  - {name: d, type: docker, tags: [socket]}\n"})
    r, rep = drun(dquai, d)
    assert r.returncode == 1
    assert "no executor in quai.yml has the tags" in r.stdout


def test_timeout_kills_container(dquai, docker_env, busybox_image, http_image, tmp_path):
    d = project(tmp_path, f"""
slow:
  image: {busybox_image}
  timeout: 2s
  services: ["{http_image}"]
  script: ["sleep 60"]
""")
    t0 = time.monotonic()
    r, rep = drun(dquai, d)
    assert time.monotonic() - t0 < 30
    assert r.returncode == 1
    assert "execution took longer than 2s" in r.stdout
    assert statuses(rep) == {"slow": "failed"}
    assert leftovers(docker_env) == []


def test_sigterm_removes_everything(quai_bin, docker_env, busybox_image, tmp_path):
    d = project(tmp_path, f"""
slow:
  image: {busybox_image}
  script: ["echo started", "sleep 60"]
later:
  stage: deploy
  image: {busybox_image}
  script: ["echo never"]
""")
    import os
    p = subprocess.Popen([quai_bin, "pipeline", "run", str(d)], env={**os.environ, **docker_env},
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # the job's container and the one made ahead for `later`
        wait_until(lambda: len(leftovers(docker_env)) == 2, timeout=30, what="the job containers")
        time.sleep(1)
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 1, out + err
    assert "canceled" in out
    wait_until(lambda: leftovers(docker_env) == [], timeout=10, what="no leftovers")


def test_oom_killed_reported(dquai, docker_env, busybox_image, tmp_path):
    d = project(tmp_path, f"""
hog:
  image: {busybox_image}
  tags: [small]
  script: ["dd if=/dev/zero of=/dev/null bs=200M count=1"]
""", {"quai.yml": "executors:\n  - {name: small, type: docker, tags: [small], memory: 32m}\n"})
    r, rep = drun(dquai, d)
    assert r.returncode == 1
    assert "killed by the OOM killer" in r.stdout and "OOM killed" in r.stdout
    assert statuses(rep) == {"hog": "failed"}
    assert leftovers(docker_env) == []


def test_containers_made_ahead(dquai, docker_env, busybox_image, tmp_path):
    """Later docker jobs get their containers while earlier ones run; those
    that end up skipped or manual leave nothing behind."""
    d = project(tmp_path, f"""
stages: [build, test, deploy]
default: {{image: {busybox_image}}}
variables: {{GLOBAL: "it's global"}}
build:
  stage: build
  script: ["sleep 1", "echo BUILD_ID=42 > b.env"]
  artifacts: {{reports: {{dotenv: b.env}}}}
test:
  stage: test
  variables: {{FROM_DOTENV: "id $BUILD_ID"}}
  script: ['echo "$GLOBAL / $FROM_DOTENV / $CI_JOB_NAME / $(pwd)"', "exit 1"]
deploy: {{stage: deploy, script: ["echo never"]}}
manual: {{stage: deploy, script: ["echo never"], when: manual}}
""")
    r, rep = drun(dquai, d)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "it's global / id 42 / test / /builds/local/proj" in r.stdout
    assert statuses(rep) == {"build": "success", "test": "failed", "deploy": "skipped", "manual": "manual"}
    assert leftovers(docker_env) == []
