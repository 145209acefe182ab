"""The built-in template Quai/Monorepo.gitlab-ci.yml: `quai pipeline run` with
the shell executor runs the monorepo flow (`quai run`) as a job on a generated
git repository of a busybox-based image — the quai running the pipeline is on
the job's PATH — and a later job receives its report as an artifact."""
import json
import os
import subprocess
import uuid

from test_run import Repo, image


def test_monorepo_template_on_shell_executor(quai_bin, docker_env, registry, busybox_image, tmp_path):
    ns = "qt" + uuid.uuid4().hex[:8]
    repo = Repo(tmp_path, registry["host"], ns)
    # executors: the tag the template's jobs carry picks the shell executor
    repo.write("quai.yml", f"registry: {registry['host']}\nnamespace: {ns}\n"
               "executors:\n  - {name: host, type: shell, tags: [quai]}\n")
    image(repo, "hello", busybox_image, run="echo hello > /hello.txt")
    repo.write(".gitlab-ci.yml", """
include:
  - template: Quai/Monorepo.gitlab-ci.yml
check:
  stage: test
  tags: [quai]
  script:
    - cat quai-run.json
""")
    repo.commit("one")
    cfg = tmp_path / "docker-config"
    cfg.mkdir()
    # PATH without the build directory: the job finds quai through the runner
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUAI_", "CI_", "GITHUB_"))}
    env.update(DOCKER_HOST=docker_env["DOCKER_HOST"], DOCKER_CONFIG=str(cfg), HOME=str(tmp_path),
               QUAI_REGISTRY_USER=registry["user"], QUAI_REGISTRY_PASSWORD=registry["password"],
               GIT_CONFIG_NOSYSTEM="1", PATH="/usr/local/bin:/usr/bin:/bin")
    report = tmp_path / "pipeline.json"
    r = subprocess.run([quai_bin, "pipeline", "run", "--report", str(report), "--variable",
                        "QUAI_RUN_ARGS=--no-push", str(repo.root)],
                       env=env, capture_output=True, text=True, timeout=240)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    rep = json.loads(report.read_text())
    assert [(j["name"], j["status"]) for j in rep["jobs"]] == [("quai-monorepo", "success"),
                                                               ("check", "success")], out
    # the job ran `quai run`: its report, passed on as an artifact, says the
    # image was built and not pushed
    lines = [line.split("| ", 1)[1] for line in r.stdout.splitlines()
             if line.split("|")[0].split()[-1:] == ["check"] and "| " in line]
    text = "\n".join(lines)
    start = text.index("{")
    run_rep = json.loads(text[start:text.rindex("}") + 1])
    assert run_rep["status"] == "success", text
    img = {i["name"]: i for i in run_rep["images"]}["hello"]
    assert img["build"]["status"] == "ok" and img["push"]["status"] != "ok", img


def test_lint_checks_include_template(quai, tmp_path):
    ci = tmp_path / ".gitlab-ci.yml"
    ci.write_text("include:\n  - template: Quai/Monorepo.gitlab-ci.yml\n")
    r = quai("lint", ci)
    assert r.returncode == 0, r.stdout + r.stderr
    ci.write_text("include:\n  - template: Auto-DevOps.gitlab-ci.yml\n")
    r = quai("lint", ci)
    assert r.returncode == 1
    assert "2:15 error QP1000 include:template 'Auto-DevOps.gitlab-ci.yml' is not built into quai" in r.stdout
    assert "the built-in templates are Quai/Monorepo.gitlab-ci.yml" in r.stdout
