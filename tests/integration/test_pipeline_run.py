"""quai pipeline run on the shell executor: stage order, the needs DAG with
--jobs, artifacts, dotenv, cache across runs, allow_failure (exit_codes),
retry, timeout, manual, when: on_failure/always, masked variables (also
split across output chunks), --report and the exit status."""
import json
import subprocess
import time

import pytest


def project(tmp_path, yml, files=None):
    d = tmp_path / "proj"
    d.mkdir(parents=True)
    (d / ".gitlab-ci.yml").write_text(yml)
    for name, text in (files or {}).items():
        (d / name).parent.mkdir(parents=True, exist_ok=True)
        (d / name).write_text(text)
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "-C", str(d)]
    subprocess.run(["git", "init", "-q", "-b", "main", str(d)], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "init"], check=True)
    return d


def run(quai, d, *args, timeout=60):
    report = d.parent / "report.json"
    r = quai("pipeline", "run", "--report", report, *args, d, timeout=timeout)
    rep = json.loads(report.read_text()) if report.exists() else None
    return r, rep


def statuses(rep):
    return {j["name"]: j["status"] for j in rep["jobs"]}


def job_lines(out, job):
    return [line.split("| ", 1)[1] for line in out.splitlines() if f" {job} " in line.split("|")[0] + " "
            and "| " in line]


def test_stages_in_order_and_report(quai, tmp_path):
    d = project(tmp_path, """
stages: [one, two, three]
a: {stage: three, script: [echo A]}
b: {stage: one, script: [echo B]}
c: {stage: two, script: [echo C]}
""")
    r, rep = run(quai, d)
    assert r.returncode == 0, r.stdout + r.stderr
    order = [line.split()[2] for line in r.stdout.splitlines() if line.startswith("Starting job")]
    assert order == ["b", "c", "a"]
    assert rep["status"] == "success"
    assert [j["name"] for j in rep["jobs"]] == ["b", "c", "a"]
    j = rep["jobs"][0]
    assert set(j) == {"name", "stage", "status", "allow_failure", "exit_code", "duration_s"}
    assert j["stage"] == "one" and j["exit_code"] == 0 and j["allow_failure"] is False
    assert "Pipeline passed" in r.stdout


def test_needs_dag_runs_ahead_of_stages(quai, tmp_path):
    d = project(tmp_path, """
stages: [build, test]
slow: {stage: build, script: ["sleep 1.5", "echo slow-done"]}
fast: {stage: build, script: ["echo fast-done"]}
after_fast: {stage: test, needs: [fast], script: ["echo after-fast"]}
""")
    r, rep = run(quai, d, "--jobs", "3")
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    # after_fast starts before slow ends
    assert out.index("Starting job after_fast") < out.index("Job slow: success")
    assert statuses(rep) == {"slow": "success", "fast": "success", "after_fast": "success"}


def test_artifacts_and_dotenv_passed_on(quai, tmp_path):
    d = project(tmp_path, """
stages: [build, test]
build:
  stage: build
  script:
    - mkdir -p out/sub && echo built > out/sub/f.txt && echo skip > out/x.log
    - echo "VERSION=4.5.6" > vars.env
  artifacts:
    paths: [out/]
    exclude: ["out/*.log"]
    reports: {dotenv: vars.env}
use:
  stage: test
  script:
    - cat out/sub/f.txt
    - test ! -e out/x.log && echo excluded
    - echo "version=$VERSION"
""")
    r, rep = run(quai, d)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = job_lines(r.stdout, "use")
    assert "built" in lines and "excluded" in lines and "version=4.5.6" in lines


def test_cache_reused_across_runs(quai, tmp_path):
    d = project(tmp_path, """
job:
  stage: test
  cache: {key: deps, paths: [vendor/]}
  script:
    - if [ -f vendor/stamp ]; then echo "cache-hit $(cat vendor/stamp)"; else echo cache-miss; fi
    - mkdir -p vendor && echo run1 > vendor/stamp
""")
    r1, _ = run(quai, d)
    assert r1.returncode == 0 and "cache-miss" in r1.stdout, r1.stdout
    assert (d / ".quai" / "cache" / "deps" / "vendor" / "stamp").exists()
    r2, _ = run(quai, d)
    assert r2.returncode == 0 and "cache-hit run1" in r2.stdout, r2.stdout


def test_allow_failure_and_exit_codes(quai, tmp_path):
    d = project(tmp_path, """
allowed: {script: ["exit 1"], allow_failure: true}
by_code: {script: ["exit 42"], allow_failure: {exit_codes: [42]}}
""")
    r, rep = run(quai, d)
    assert r.returncode == 0, r.stdout
    assert statuses(rep) == {"allowed": "failed", "by_code": "failed"}
    assert all(j["allow_failure"] for j in rep["jobs"])
    assert {j["name"]: j["exit_code"] for j in rep["jobs"]} == {"allowed": 1, "by_code": 42}

    d2 = project(tmp_path / "2", """
wrong_code: {script: ["exit 7"], allow_failure: {exit_codes: [42]}}
""")
    r, rep = run(quai, d2)
    assert r.returncode == 1
    assert rep["status"] == "failed" and rep["jobs"][0]["allow_failure"] is False
    assert "Pipeline failed" in r.stdout


def test_retry(quai, tmp_path):
    counter = tmp_path / "count"
    d = project(tmp_path, f"""
flaky:
  retry: 2
  script:
    - echo x >> {counter}
    - test $(wc -l < {counter}) -ge 3
never_retried:
  retry: {{max: 2, exit_codes: [9]}}
  allow_failure: true
  script: ["echo y >> {counter}.2", "exit 1"]
""")
    r, rep = run(quai, d)
    assert r.returncode == 0, r.stdout
    assert counter.read_text().count("x") == 3
    assert (tmp_path / "count.2").read_text().count("y") == 1
    assert statuses(rep)["flaky"] == "success"


def test_timeout_kills_the_job(quai, tmp_path):
    marker = tmp_path / "survived"
    d = project(tmp_path, f"""
slow:
  timeout: 1s
  script:
    - (sleep 3; touch {marker}) &
    - sleep 30
""")
    t0 = time.monotonic()
    r, rep = run(quai, d)
    assert time.monotonic() - t0 < 10
    assert r.returncode == 1
    assert "execution took longer than 1s" in r.stdout
    assert statuses(rep) == {"slow": "failed"}
    time.sleep(3.5)
    assert not marker.exists(), "the job's process group outlived its timeout"


def test_manual_and_when(quai, tmp_path):
    d = project(tmp_path, """
stages: [build, test, cleanup]
deploy: {stage: build, script: ["echo deployed"], when: manual}
broken: {stage: build, script: ["exit 1"]}
skipped_after_failure: {stage: test, script: ["echo no"]}
on_failure: {stage: cleanup, script: ["echo rescue"], when: on_failure}
always: {stage: cleanup, script: ["echo always"], when: always}
""")
    r, rep = run(quai, d)
    assert r.returncode == 1
    assert statuses(rep) == {"deploy": "manual", "broken": "failed", "skipped_after_failure": "skipped",
                             "on_failure": "success", "always": "success"}
    assert "deployed" not in r.stdout
    r, rep = run(quai, d, "--manual", "deploy")
    assert statuses(rep)["deploy"] == "success" and "deployed" in r.stdout


def test_on_failure_skipped_when_all_pass(quai, tmp_path):
    d = project(tmp_path, """
stages: [build, cleanup]
ok: {stage: build, script: ["true"]}
rescue: {stage: cleanup, script: ["echo rescue"], when: on_failure}
""")
    r, rep = run(quai, d)
    assert r.returncode == 0
    assert statuses(rep) == {"ok": "success", "rescue": "skipped"}


def test_job_selection(quai, tmp_path):
    d = project(tmp_path, """
a: {script: ["echo A-ran"]}
b: {script: ["echo B-ran"]}
""")
    r, rep = run(quai, d, "--job", "b")
    assert r.returncode == 0
    assert "B-ran" in r.stdout and "A-ran" not in r.stdout
    assert statuses(rep) == {"b": "success"}
    r, _ = run(quai, d, "--job", "nope")
    assert r.returncode == 2 and "nope" in r.stderr


def test_masked_variable_never_in_logs(quai, tmp_path):
    d = project(tmp_path, """
leak:
  script:
    - echo "plain $TOKEN"
    - printf 'split s3cr'; sleep 0.3; printf 'etValue9 end\\n'
  after_script:
    - echo "after $TOKEN"
""")
    r, _ = run(quai, d, "--variable", "TOKEN=s3cretValue9", "--masked", "TOKEN")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "s3cretValue9" not in r.stdout
    output = [line for line in r.stdout.splitlines() if "$ " not in line]  # not the echoed commands
    assert not [line for line in output if "s3cr" in line or "etValue9" in line]
    assert "plain [MASKED]" in r.stdout
    assert "split [MASKED] end" in r.stdout
    assert "after [MASKED]" in r.stdout


def test_ci_variables_and_job_status(quai, tmp_path):
    d = project(tmp_path, """
vars:
  script:
    - echo "ci=$CI job=$CI_JOB_NAME stage=$CI_JOB_STAGE sha=${#CI_COMMIT_SHA} short=${#CI_COMMIT_SHORT_SHA}"
    - test "$(pwd)" = "$CI_PROJECT_DIR" && echo in-project-dir
    - test -f .gitlab-ci.yml && echo has-checkout
    - false
  after_script:
    - echo "status=$CI_JOB_STATUS"
  allow_failure: true
""")
    r, rep = run(quai, d)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ci=true job=vars stage=test sha=40 short=8" in r.stdout
    assert "in-project-dir" in r.stdout and "has-checkout" in r.stdout
    assert "status=failed" in r.stdout
    assert "$ false" in r.stdout


def test_bad_file_is_usage_error(quai, tmp_path):
    d = project(tmp_path, "job: {script: [true], bogus_key: 1}\n")
    r, _ = run(quai, d)
    assert r.returncode == 2
    assert ".gitlab-ci.yml:1:" in r.stderr


def test_delayed_job_waits(quai, tmp_path):
    d = project(tmp_path, """
later: {script: ["echo later-ran"], when: delayed, start_in: 1 second}
""")
    t0 = time.monotonic()
    r, rep = run(quai, d)
    assert r.returncode == 0, r.stdout + r.stderr
    assert time.monotonic() - t0 >= 1
    assert "later-ran" in r.stdout and "Delayed job: starting in 1s" in r.stdout


def test_untracked_artifacts_and_fallback_cache(quai, tmp_path):
    d = project(tmp_path, """
stages: [build, test]
make:
  stage: build
  cache: {key: new-key, fallback_keys: [old-key], paths: [deps/], policy: pull}
  script:
    - cat deps/from-old-cache
    - echo made > generated.txt
    - echo skip > generated.log
  artifacts:
    untracked: true
    exclude: ["*.log"]
use:
  stage: test
  script:
    - cat generated.txt
    - test ! -e generated.log && echo no-log
""", {"tracked.txt": "t\n"})
    old = d / ".quai" / "cache" / "old-key" / "deps"
    old.mkdir(parents=True)
    (old / "from-old-cache").write_text("restored-from-fallback\n")
    r, rep = run(quai, d)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "restored-from-fallback" in r.stdout
    lines = job_lines(r.stdout, "use")
    assert "made" in lines and "no-log" in lines


def test_quai_run_pipeline_is_pipeline_run_and_list(quai, tmp_path):
    """`quai run --pipeline` (what quai serve runs for `pipeline: file`) is
    `quai pipeline run`, and `quai run --pipeline --list` is `quai pipeline list`."""
    d = project(tmp_path, "stages: [s]\nhello: {stage: s, script: [echo hello-from-run]}\n")
    r = quai("run", "--pipeline", "--list", d)
    assert r.returncode == 0, r.stderr
    assert "hello" in r.stdout and "on_success" in r.stdout
    report = tmp_path / "r.json"
    r = quai("run", "--pipeline", "--report", report, d, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "hello-from-run" in r.stdout
    assert json.loads(report.read_text())["jobs"][0]["status"] == "success"
