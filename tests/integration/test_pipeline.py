"""quai pipeline: the conformance cases of tests/data/pipeline/ and GitLab's
own templates from the corpus.

Each case is NAME.yml with an optional `# args: ...` line (options for
`quai pipeline list`) and NAME.expect: the `--format dump` output, or for a
file quai must refuse, `exit 2` and the error. The project directory of
every case is tests/data/pipeline/project (include:local, exists:).
Regenerate an expectation after checking it by hand with
QUAI_PIPELINE_UPDATE=1 (then review the diff)."""
import os
import pathlib
import shlex

import pytest

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "pipeline"
CASES = sorted(p.stem for p in DATA.glob("*.yml"))


def case_args(text):
    for line in text.splitlines():
        if line.startswith("# args:"):
            return shlex.split(line[len("# args:"):])
    return []


def run_case(quai, name):
    yml = DATA / f"{name}.yml"
    args = case_args(yml.read_text())
    r = quai("pipeline", "list", "--format", "dump", "-C", "project", "-f", f"{name}.yml", *args, cwd=DATA)
    if r.returncode == 0:
        return r.stdout
    return f"exit {r.returncode}\n{r.stderr}"


def test_enough_cases():
    assert len(CASES) >= 80


@pytest.mark.parametrize("name", CASES)
def test_conformance(quai, name):
    got = run_case(quai, name)
    expect = DATA / f"{name}.expect"
    if os.environ.get("QUAI_PIPELINE_UPDATE"):
        expect.write_text(got)
    assert got == expect.read_text()


# What GitLab creates for a push to the default branch (main) of a project
# holding only the template (no Dockerfile).
CORPUS_JOBS = {
    "Bash.gitlab-ci.yml": ["build1", "test1", "test2", "deploy1"],
    "Docker.gitlab-ci.yml": ["build"],
    "Getting-Started.gitlab-ci.yml": ["build-job", "unit-test-job", "lint-test-job", "deploy-job"],
    "Go.gitlab-ci.yml": ["format", "compile"],
    "Jobs__Build.gitlab-ci.yml": ["build"],
    "Kaniko.gitlab-ci.yml": ["kaniko-build"],
    "Nodejs.gitlab-ci.yml": ["test_async", "test_db"],
    "Python.gitlab-ci.yml": ["test", "run", "pages"],
}


def created_jobs(dump):
    jobs, name = [], None
    for line in dump.splitlines():
        if line.startswith("job "):
            name = line[4:]
        elif line.startswith("  created: yes") and name:
            jobs.append(name)
    return jobs


def test_corpus_templates(quai, corpus, tmp_path):
    files = sorted((corpus / "gitlab-ci").glob("*.yml"))
    assert files
    for f in files:
        r = quai("pipeline", "list", "--format", "dump", "-C", tmp_path, "-f", f,
                 "--ref", "main", "--default-branch", "main")
        assert r.returncode == 0, f"{f.name}: {r.stderr}"
        if f.name in CORPUS_JOBS:
            assert created_jobs(r.stdout) == CORPUS_JOBS[f.name], f.name


def test_docker_template_on_master(quai, corpus, tmp_path):
    f = corpus / "gitlab-ci" / "Docker.gitlab-ci.yml"
    r = quai("pipeline", "list", "--format", "dump", "-C", tmp_path, "-f", f,
             "--ref", "master", "--default-branch", "master")
    assert r.returncode == 0, r.stderr
    assert created_jobs(r.stdout) == ["build-master"]


def test_list_text(quai):
    r = quai("pipeline", "list", "-C", "project", "-f", "rules-no-match.yml", cwd=DATA)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "no pipeline: no job is created for this pipeline"
    assert lines[1].split() == ["STAGE", "JOB", "WHEN", "WHY"]
    assert "skipped" in lines[2] and "no rule matched" in lines[2]


def test_list_json(quai):
    import json
    r = quai("pipeline", "list", "--format", "json", "-C", "project", "-f", "needs-dag.yml", cwd=DATA)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["created"] is True and doc["stages"][0] == ".pre"
    jobs = {j["name"]: j for j in doc["jobs"]}
    assert jobs["mac:rspec"]["needs"] == ["mac:build"]
    assert jobs["production"]["needs"] is None and jobs["production"]["stage"] == "deploy"


def test_default_file_and_git(quai, tmp_path):
    (tmp_path / ".gitlab-ci.yml").write_text("job:\n  script: echo\n  rules:\n    - if: $CI_COMMIT_BRANCH == 'dev'\n")
    git = tmp_path / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/dev\n")
    (git / "refs" / "heads" / "dev").write_text("ab" * 20 + "\n")
    r = quai("pipeline", "list", "--format", "dump", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "created: yes" in r.stdout
    (tmp_path / ".quai-ci.yml").write_text("other:\n  script: echo\n")
    r = quai("pipeline", "list", cwd=tmp_path)
    assert "other" in r.stdout and "job" not in r.stdout.split("\n", 1)[1]


def test_check_and_usage(quai):
    r = quai("pipeline", "check", "-C", "project", "-f", "needs-dag.yml", cwd=DATA)
    assert r.returncode == 0 and r.stdout == ""
    r = quai("pipeline", "check", "-C", "project", "-f", "unknown-keyword-error.yml", cwd=DATA)
    assert r.returncode == 2 and "unknown-keyword-error.yml:3:3" in r.stderr
    r = quai("pipeline", "list", "-C", "project", cwd=DATA)
    assert r.returncode == 2 and "no .gitlab-ci.yml or .quai-ci.yml in 'project'" in r.stderr
    r = quai("pipeline", "frobnicate")
    assert r.returncode == 2
    r = quai("pipeline", "list", "--bogus")
    assert r.returncode == 2
    r = quai("pipeline", "list", "--variable", "no-equals")
    assert r.returncode == 2


def test_masked_never_shown(quai):
    r = quai("pipeline", "list", "--format", "dump", "-C", "project", "-f", "variables-global-job.yml",
             "--variable", "SECRET=hunter2", "--masked", "SECRET", cwd=DATA)
    assert r.returncode == 0
    assert "hunter2" not in r.stdout


def test_lint_validates_pipeline_files(quai, tmp_path):
    good = tmp_path / ".gitlab-ci.yml"
    good.write_text("build:\n  script: make\n")
    r = quai("lint", good)
    assert r.returncode == 0, r.stdout + r.stderr
    bad = tmp_path / "team.gitlab-ci.yml"
    bad.write_text("build:\n  script: make\n  scirpt: typo\n")
    r = quai("lint", "--format", "json", bad)
    assert r.returncode == 1
    assert '"code":"QP1000"' in r.stdout and '"line":3' in r.stdout and "scirpt" in r.stdout
