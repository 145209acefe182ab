"""quai plan on generated repositories: discovery, dependencies, what a
change affects and why, build order, the default base revision, --dirty,
--json, and quai.yml errors. Plans are asserted exactly."""
import json
import os
import pathlib
import subprocess

import pytest

GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_AUTHOR_NAME": "quai test",
    "GIT_AUTHOR_EMAIL": "test@quai.invalid",
    "GIT_COMMITTER_NAME": "quai test",
    "GIT_COMMITTER_EMAIL": "test@quai.invalid",
}


class Repo:
    """A git repository in a temporary directory, driven by the git CLI."""

    def __init__(self, path):
        self.path = pathlib.Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.env = dict(os.environ, **GIT_ENV)
        self.git("init", "-q", "-b", "main")

    def git(self, *args):
        return subprocess.run(["git", "-C", str(self.path), *args], env=self.env, check=True,
                              capture_output=True, text=True).stdout.strip()

    def write(self, files):
        for rel, text in files.items():
            p = self.path / rel
            if text is None:
                p.unlink()
                continue
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text)

    def commit(self, msg, files=None):
        self.write(files or {})
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", msg)
        return self.git("rev-parse", "HEAD")


def chain(repo, quai_yml=None):
    """base -> child -> grand, sib FROM base, indep alone; base ignores *.md."""
    files = {
        "dockers/base/Dockerfile": "FROM busybox:1.36\nCOPY . /srv/\n",
        "dockers/base/.dockerignore": "*.md\n",
        "dockers/base/README.md": "docs\n",
        "dockers/child/Dockerfile": "ARG BASE=base\nFROM ${BASE}:latest\nCOPY app /app\n",
        "dockers/child/app": "1\n",
        "dockers/grand/Dockerfile": "FROM child AS parent\nFROM parent\nRUN true\n",
        "dockers/sib/Dockerfile": "FROM busybox AS tools\nFROM base\nCOPY --from=tools /bin/true /t\n",
        "dockers/indep/Dockerfile": "FROM busybox:1.36\n",
    }
    if quai_yml is not None:
        files["quai.yml"] = quai_yml
    return repo.commit("images", files)


@pytest.fixture
def repo(tmp_path):
    return Repo(tmp_path / "repo")


def plan(quai, repo, *args, expect=0):
    r = quai("plan", *args, cwd=repo.path)
    assert r.returncode == expect, r.stderr
    return r


def plan_json(quai, repo, *args):
    return json.loads(plan(quai, repo, "--json", *args).stdout)


def names_reasons(doc):
    return [(i["name"], i["reasons"]) for i in doc["images"]]


def test_first_plan_is_everything_in_build_order(quai, repo):
    head = chain(repo)
    doc = plan_json(quai, repo)
    assert doc["since"] is None
    assert doc["head"] == head
    first = "no earlier commit to compare with"
    assert doc["images"] == [
        {"name": "base", "dir": "dockers/base", "reasons": [first], "depends_on": []},
        {"name": "child", "dir": "dockers/child", "reasons": [first, "depends on base"], "depends_on": ["base"]},
        {"name": "grand", "dir": "dockers/grand", "reasons": [first, "depends on child"],
         "depends_on": ["child"]},
        {"name": "indep", "dir": "dockers/indep", "reasons": [first], "depends_on": []},
        {"name": "sib", "dir": "dockers/sib", "reasons": [first, "depends on base"], "depends_on": ["base"]},
    ]
    # the text form: one line per image, name padded, reasons joined
    r = plan(quai, repo)
    assert r.stdout == (
        "base  no earlier commit to compare with\n"
        "child no earlier commit to compare with; depends on base\n"
        "grand no earlier commit to compare with; depends on child\n"
        "indep no earlier commit to compare with\n"
        "sib   no earlier commit to compare with; depends on base\n")
    assert "all 5 images" in r.stderr


def test_changes_over_several_commits(quai, repo):
    c1 = chain(repo)
    c2 = repo.commit("docs only", {"dockers/base/README.md": "more docs\n"})
    c3 = repo.commit("child app", {"dockers/child/app": "2\n"})
    c4 = repo.commit("base", {"dockers/base/etc/conf": "x\n"})
    c5 = repo.commit("indep and unrelated", {"dockers/indep/Dockerfile": "FROM busybox:1.37\n",
                                             "docs/notes.txt": "n\n"})
    doc = plan_json(quai, repo, "--since", c1)
    assert doc["since"] == c1 and doc["head"] == c5
    assert names_reasons(doc) == [
        ("base", ["changed: dockers/base/etc/conf"]),
        ("child", ["changed: dockers/child/app", "depends on base"]),
        ("grand", ["depends on child"]),
        ("indep", ["changed: dockers/indep/Dockerfile"]),
        ("sib", ["depends on base"]),
    ]
    # the commit that changed only a .dockerignored file adds nothing
    assert names_reasons(plan_json(quai, repo, "--since", c2, ".")) == names_reasons(doc)
    assert names_reasons(plan_json(quai, repo, "--since", c3)) == [
        ("base", ["changed: dockers/base/etc/conf"]),
        ("child", ["depends on base"]),
        ("grand", ["depends on child"]),
        ("indep", ["changed: dockers/indep/Dockerfile"]),
        ("sib", ["depends on base"]),
    ]
    assert names_reasons(plan_json(quai, repo, "--since", c4)) == [
        ("indep", ["changed: dockers/indep/Dockerfile"]),
    ]
    assert plan_json(quai, repo, "--since", c5)["images"] == []
    # the .dockerignored README alone changes nothing
    repo.commit("docs again", {"dockers/base/README.md": "again\n"})
    assert plan_json(quai, repo, "--since", "HEAD~1")["images"] == []
    assert plan(quai, repo, "--since", "HEAD~1").stdout == ""


def test_inputs_and_quai_yml_entries(quai, repo):
    yml = ("images:\n"
           "  dockers/indep:\n"
           "    inputs: [shared/, 'scripts/*.sh']\n"
           "  dockers/child:\n"
           "    build_args: {BASE: base}\n")
    chain(repo, yml)
    repo.commit("shared", {"shared/lib.sh": "1\n", "scripts/build.sh": "1\n", "scripts/build.py": "1\n"})
    assert names_reasons(plan_json(quai, repo, "--since", "HEAD~1")) == [
        ("indep", ["input changed: shared/lib.sh", "input changed: scripts/build.sh"]),
    ]
    repo.commit("entry", {"quai.yml": yml.replace("{BASE: base}", "{BASE: base, X: '1'}")})
    assert names_reasons(plan_json(quai, repo, "--since", "HEAD~1")) == [
        ("child", ["quai.yml: entry 'dockers/child' changed"]),
        ("grand", ["depends on child"]),
    ]
    # reformatting the same entry, or a key of another tool: nothing
    repo.commit("same", {"quai.yml": "lint:\n  ignored: [DL3008]\nimages:\n"
                                     "  dockers/indep: {inputs: [shared/, 'scripts/*.sh']}\n"
                                     "  dockers/child: {build_args: {BASE: base, X: '1'}}\n"})
    assert plan_json(quai, repo, "--since", "HEAD~1")["images"] == []
    # a new namespace moves every image
    repo.commit("ns", {"quai.yml": "namespace: team\nimages:\n"
                                   "  dockers/indep: {inputs: [shared/, 'scripts/*.sh']}\n"
                                   "  dockers/child: {build_args: {BASE: base, X: '1'}}\n"})
    doc = plan_json(quai, repo, "--since", "HEAD~1")
    assert [i["name"] for i in doc["images"]] == ["base", "child", "grand", "indep", "sib"]
    assert doc["images"][0]["reasons"] == ["quai.yml: namespace changed"]


def test_registry_qualified_from_and_names(quai, repo):
    repo.commit("images", {
        "quai.yml": ("registry: 127.0.0.1:5000\nnamespace: team\n"
                     "images:\n  base: {name: x3-base}\n"),
        "base/Dockerfile": "FROM busybox\n",
        "app/Dockerfile": "FROM 127.0.0.1:5000/team/x3-base:1.2.3\n",
        "tool/Dockerfile": "FROM x3-base\n",
        "other/Dockerfile": "FROM docker.io/team/x3-base\nFROM 127.0.0.1:5000/x3-base\n",
    })
    repo.commit("base", {"base/x": "1\n"})
    doc = plan_json(quai, repo, "--since", "HEAD~1")
    assert doc["images"] == [
        {"name": "x3-base", "dir": "base", "reasons": ["changed: base/x"], "depends_on": []},
        {"name": "app", "dir": "app", "reasons": ["depends on x3-base"], "depends_on": ["x3-base"]},
        {"name": "tool", "dir": "tool", "reasons": ["depends on x3-base"], "depends_on": ["x3-base"]},
    ]


def test_cycle_is_an_error_naming_it(quai, repo):
    repo.commit("cycle", {
        "a/Dockerfile": "FROM c\n",
        "b/Dockerfile": "FROM scratch\nCOPY --from=a / /\n",
        "c/Dockerfile": "FROM b:1\n",
    })
    r = plan(quai, repo, expect=2)
    assert r.stdout == ""
    assert r.stderr == ("quai: images depend on each other in a cycle: a -> c -> b -> a (each is built from the "
                        "next); break it in one of their Dockerfiles\n")


@pytest.mark.parametrize("text,message", [
    ("registy: x\n", "quai.yml:1:1: unknown key 'registy' in quai.yml: did you mean 'registry'?"),
    ("images:\n  dockers/base:\n    taggs: [x]\n",
     "quai.yml:3:5: unknown key 'taggs' in an image entry: did you mean 'tags'?"),
    ("images:\n  dockers/base:\n    context: ../../etc\n",
     "quai.yml:3:14: 'context' must be a path inside the repository, relative to quai.yml, found '../../etc'"),
    ("images:\n  nowhere: {}\n",
     "quai.yml:2:3: 'nowhere' has no Dockerfile or Containerfile: set 'dockerfile' or remove the entry"),
    ("images: [\n", "quai.yml:2:1:"),
])
def test_quai_yml_errors(quai, repo, text, message):
    chain(repo, text)
    r = plan(quai, repo, expect=2)
    assert r.stdout == ""
    assert r.stderr.startswith("quai: " + message), r.stderr


def test_default_base_merge_base_and_record(quai, repo):
    chain(repo)
    repo.git("checkout", "-q", "-b", "feature")
    # nothing on the branch yet
    assert plan_json(quai, repo)["images"] == []
    base = repo.git("rev-parse", "main")
    repo.commit("feature child", {"dockers/child/app": "feature\n"})
    repo.commit("feature sib", {"dockers/sib/x": "1\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main moves on", {"dockers/indep/x": "1\n"})
    repo.git("checkout", "-q", "feature")
    doc = plan_json(quai, repo)
    assert doc["since"] == base
    assert names_reasons(doc) == [
        ("child", ["changed: dockers/child/app"]),
        ("grand", ["depends on child"]),
        ("sib", ["changed: dockers/sib/x"]),
    ]
    # the record quai run keeps wins over the merge base
    last = repo.git("rev-parse", "HEAD~1")
    (repo.path / ".quai").mkdir()
    (repo.path / ".quai" / ".gitignore").write_text("*\n")
    (repo.path / ".quai" / "state.json").write_text(json.dumps({"branches": {"feature": {"last_success": last}}}))
    doc = plan_json(quai, repo)
    assert doc["since"] == last
    assert names_reasons(doc) == [("sib", ["changed: dockers/sib/x"])]
    # a record that no longer resolves falls back to the merge base
    (repo.path / ".quai" / "state.json").write_text(
        json.dumps({"branches": {"feature": {"last_success": "0" * 40}}}))
    assert plan_json(quai, repo)["since"] == base
    # a broken state file is an error that says what to do
    (repo.path / ".quai" / "state.json").write_text("{")
    r = plan(quai, repo, expect=2)
    assert "state.json" in r.stderr and "remove the file" in r.stderr
    # --since wins over everything
    assert plan_json(quai, repo, "--since", "main")["since"] == repo.git("rev-parse", "main")


def test_dirty(quai, repo):
    chain(repo)
    (repo.path / "dockers/child/app").write_text("edited\n")
    (repo.path / "dockers/indep/new").write_text("untracked\n")
    (repo.path / "dockers/base/NOTES.md").write_text("ignored by .dockerignore\n")
    assert plan_json(quai, repo, "--since", "HEAD")["images"] == []
    doc = plan_json(quai, repo, "--since", "HEAD", "--dirty")
    assert doc["since"] == doc["head"]
    assert names_reasons(doc) == [
        ("child", ["changed: dockers/child/app"]),
        ("grand", ["depends on child"]),
        ("indep", ["changed: dockers/indep/new"]),
    ]
    # a new image that is not committed yet
    (repo.path / "dockers/fresh").mkdir()
    (repo.path / "dockers/fresh/Dockerfile").write_text("FROM indep\n")
    doc = plan_json(quai, repo, "--since", "HEAD", "--dirty")
    assert [i["name"] for i in doc["images"]] == ["child", "grand", "indep", "fresh"]
    assert doc["images"][3] == {"name": "fresh", "dir": "dockers/fresh",
                                "reasons": ["changed: dockers/fresh/Dockerfile", "depends on indep"],
                                "depends_on": ["indep"]}


def test_all_and_usage(quai, repo, tmp_path):
    chain(repo)
    doc = plan_json(quai, repo, "--all")
    assert doc["since"] is None
    assert [i["reasons"][0] for i in doc["images"]] == ["all images requested"] * 5
    # DIR: any directory inside the repository
    r = quai("plan", "--all", str(repo.path / "dockers" / "child"), cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.count("\n") == 5
    assert plan(quai, repo, "--all", "--since", "HEAD", expect=2).stderr.startswith("quai: plan: --all and --since")
    assert "unknown revision 'nope'" in plan(quai, repo, "--since", "nope", expect=2).stderr
    assert plan(quai, repo, "a", "b", expect=2).stderr.startswith("quai: plan takes at most one directory")
    plan(quai, repo, "--bogus", expect=2)
    not_git = tmp_path / "not-git"
    not_git.mkdir()
    r = quai("plan", cwd=not_git)
    assert r.returncode == 2 and "is not inside a git repository" in r.stderr
    r = quai("plan", "--help")
    assert r.returncode == 0 and r.stdout.startswith("usage: quai plan")
    empty = Repo(tmp_path / "empty")
    r = quai("plan", cwd=empty.path)
    assert r.returncode == 2 and "has no commit yet" in r.stderr


def test_discovery_skips(quai, repo):
    repo.commit("images", {
        "Dockerfile": "FROM busybox\n",
        "svc/Containerfile": "FROM root-image:1\n",
        "node_modules/x/Dockerfile": "FROM busybox\n",
        ".github/ci/Dockerfile": "FROM busybox\n",
        "fixtures/a/Dockerfile": "FROM busybox\n",
        "out/Dockerfile": "FROM busybox\n",
        ".gitignore": "out/\n",
        "quai.yml": "ignore: [fixtures]\nimages:\n  .: {name: root-image}\n",
    })
    doc = plan_json(quai, repo, "--all")
    assert [(i["name"], i["dir"], i["depends_on"]) for i in doc["images"]] == [
        ("root-image", ".", []),
        ("svc", "svc", ["root-image"]),
    ]
    # quai.yml brings in a git-ignored directory
    repo.commit("out too", {"quai.yml": "ignore: [fixtures]\nimages:\n  .: {name: root-image}\n  out: {}\n"})
    doc = plan_json(quai, repo, "--all")
    assert [(i["name"], i["dir"]) for i in doc["images"]] == [("out", "out"), ("root-image", "."), ("svc", "svc")]


def test_detached_head_as_ci_checks_out(quai, repo):
    chain(repo)
    repo.commit("main change", {"dockers/indep/x": "1\n"})
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("feature change", {"dockers/sib/x": "1\n"})
    clean = {"QUAI_BRANCH": "", "CI_COMMIT_BRANCH": "", "GITHUB_REF": "", "BRANCH_NAME": ""}

    def detached_plan(rev, **env):
        repo.git("checkout", "-q", "--detach", rev)
        r = quai("plan", "--json", cwd=repo.path, env={**clean, **env})
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    # on the default branch's line, branch unknown: everything
    doc = detached_plan("main")
    assert doc["since"] is None and len(doc["images"]) == 5
    # a feature commit: the merge base with main
    doc = detached_plan("feature")
    assert doc["since"] == repo.git("rev-parse", "main")
    assert names_reasons(doc) == [("sib", ["changed: dockers/sib/x"])]
    # the CI's variables name the branch, and so its record
    (repo.path / ".quai").mkdir()
    (repo.path / ".quai" / "state.json").write_text(json.dumps({"branches": {
        "main": {"last_success": repo.git("rev-parse", "main~1")},
        "feature": {"last_success": repo.git("rev-parse", "feature")}}}))
    doc = detached_plan("main", CI_COMMIT_BRANCH="main")
    assert names_reasons(doc) == [("indep", ["changed: dockers/indep/x"])]
    assert detached_plan("feature", GITHUB_REF="refs/heads/feature")["images"] == []
    assert detached_plan("feature", QUAI_BRANCH="feature", BRANCH_NAME="main")["images"] == []
    assert detached_plan("feature", BRANCH_NAME="main")["since"] == repo.git("rev-parse", "main~1")


def test_text_form_shortens_long_path_lists(quai, repo):
    chain(repo, "images:\n  dockers/indep: {inputs: [shared/]}\n")
    files = {"dockers/indep/f%d" % i: "x\n" for i in range(5)}
    files.update({"shared/s%d" % i: "x\n" for i in range(2)})
    repo.commit("many", files)
    r = plan(quai, repo, "--since", "HEAD~1")
    assert r.stdout == ("indep changed: dockers/indep/f0, dockers/indep/f1, dockers/indep/f2 (+2 more); "
                        "input changed: shared/s0, shared/s1\n")
    assert len(plan_json(quai, repo, "--since", "HEAD~1")["images"][0]["reasons"]) == 7


def test_dockerfile_and_tests_outside_the_context(quai, repo):
    repo.commit("images", {
        "quai.yml": ("images:\n"
                     "  app:\n"
                     "    context: app/src\n"
                     "    dockerfile: docker/app.Dockerfile\n"
                     "    tests: specs/app.yml\n"
                     "  whole:\n"
                     "    context: .\n"),
        "app/README": "the Dockerfile lives in docker/\n",
        "app/src/main.c": "int main(void) { return 0; }\n",
        "docker/app.Dockerfile": "FROM busybox\nCOPY main.c /\n",
        "specs/app.yml": "schemaVersion: 2.0.0\n",
        "whole/Dockerfile": "FROM busybox\nCOPY . /all/\n",
        ".dockerignore": "docs/\n",
    })
    repo.commit("outside", {"docker/app.Dockerfile": "FROM busybox:1.36\nCOPY main.c /\n",
                            "specs/app.yml": "schemaVersion: 2.0.0\ncommandTests: []\n",
                            "app/README": "not in the context\n", "docs/x": "ignored\n"})
    assert names_reasons(plan_json(quai, repo, "--since", "HEAD~1")) == [
        ("app", ["changed: docker/app.Dockerfile", "changed: specs/app.yml"]),
        ("whole", ["changed: app/README", "changed: docker/app.Dockerfile", "changed: specs/app.yml"]),
    ]
    repo.commit("src", {"app/src/main.c": "int main(void) { return 1; }\n"})
    assert names_reasons(plan_json(quai, repo, "--since", "HEAD~1")) == [
        ("app", ["changed: app/src/main.c"]),
        ("whole", ["changed: app/src/main.c"]),
    ]
