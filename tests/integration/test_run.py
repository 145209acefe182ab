"""quai run on generated git repositories of busybox-based images, against the
test environment's engine and authenticated registry, with a bare repository
as origin: the plan, the build order, what is pushed, the registry's tags and
the git tags, over several commits; a run killed with SIGKILL and run again."""
import base64
import json
import os
import pathlib
import pty
import re
import signal
import subprocess
import time
import urllib.request
import uuid

import pytest

LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (\S+): (.*)$")


def git(cwd, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="T", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="T",
               GIT_COMMITTER_EMAIL="t@example.com", GIT_CONFIG_NOSYSTEM="1", HOME=str(cwd))
    r = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


class Repo:
    """A work tree with a bare origin; files written with write(), commit() commits all."""

    def __init__(self, tmp_path, registry, ns):
        self.root = tmp_path / "repo"
        self.origin = tmp_path / "origin.git"
        self.root.mkdir()
        git(tmp_path, "init", "-q", "--bare", "-b", "main", str(self.origin))
        git(self.root, "init", "-q", "-b", "main")
        git(self.root, "remote", "add", "origin", str(self.origin))
        self.registry, self.ns = registry, ns
        self.write("quai.yml", f"registry: {registry}\nnamespace: {ns}\n")

    def write(self, path, text):
        p = self.root / path
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)

    def commit(self, msg):
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "-m", msg)
        return git(self.root, "rev-parse", "HEAD")

    def origin_tags(self):
        """{tag: commit} of the bare origin."""
        out = git(self.origin, "for-each-ref", "refs/tags", "--format=%(refname:short) %(*objectname) %(objecttype)")
        tags = {}
        for line in out.splitlines():
            name, commit, kind = line.split()
            assert kind == "tag", f"{name} is not an annotated tag"
            tags[name] = commit
        return tags


def image(repo, name, from_, run="true", tests=None, extra=""):
    repo.write(f"{name}/Dockerfile", f"FROM {from_}\nUSER 0\nRUN {run}\n{extra}USER 10001\n")
    if tests is not None:
        repo.write(f"{name}/tests.yml", 'schemaVersion: "2.0.0"\n' + tests)


def content_test(path, *expected):
    exp = ", ".join(json.dumps(e) for e in expected)
    return (f"fileContentTests:\n  - name: {path}\n    path: {path}\n    expectedContents: [{exp}]\n")


@pytest.fixture
def env(docker_env, registry, tmp_path):
    cfg = tmp_path / "run-docker-config"
    cfg.mkdir()
    e = {k: v for k, v in os.environ.items() if not k.startswith(("HADOLINT_", "QUAI_", "CI_", "GITHUB_"))}
    e.update(DOCKER_HOST=docker_env["DOCKER_HOST"], DOCKER_CONFIG=str(cfg), HOME=str(tmp_path),
             QUAI_REGISTRY_USER=registry["user"], QUAI_REGISTRY_PASSWORD=registry["password"],
             GIT_CONFIG_NOSYSTEM="1")
    e.pop("NO_COLOR", None)
    return e


def quai_run(quai_bin, env, repo, *args, timeout=300):
    report = repo.root.parent / f"report-{uuid.uuid4().hex[:6]}.json"
    r = subprocess.run([quai_bin, "run", "--jobs", "2", "--report", str(report), *args, str(repo.root)],
                       env=env, capture_output=True, text=True, timeout=timeout)
    rep = json.loads(report.read_text()) if report.exists() else None
    return r, rep


def steps_of(root):
    """pids of the processes whose command line names root (quai run's steps)."""
    pids = []
    for d in pathlib.Path("/proc").iterdir():
        try:
            if d.name.isdigit() and str(root).encode() in (d / "cmdline").read_bytes():
                if (d / "stat").read_text().split()[2] != "Z":
                    pids.append(int(d.name))
        except OSError:
            pass
    return pids


def events(stderr):
    """[(image, message)] of the timestamped progress lines, in order."""
    return [m.groups() for m in map(LINE.match, stderr.splitlines()) if m]


def registry_get(registry, path):
    req = urllib.request.Request(f"http://{registry['host']}{path}", headers={
        "Accept": "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json",
        "Authorization": "Basic " + base64.b64encode(f"{registry['user']}:{registry['password']}".encode()).decode()})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return None, None
        raise


def tags_of(registry, repo_name):
    _, body = registry_get(registry, f"/v2/{repo_name}/tags/list")
    return sorted(json.loads(body)["tags"] or []) if body else []


def digest_of(registry, repo_name, tag):
    headers, _ = registry_get(registry, f"/v2/{repo_name}/manifests/{tag}")
    return headers["Docker-Content-Digest"] if headers else None


def reasons(rep):
    return {i["name"]: i["reasons"] for i in rep["images"]}


def by_name(rep):
    return {i["name"]: i for i in rep["images"]}


def steps(rep):
    return {i["name"]: tuple(i[s]["status"] for s in ("lint", "build", "test", "push", "tag")) for i in rep["images"]}


def assert_order(ev, before, after):
    """`before` ("image", "message prefix") happens before `after`."""
    idx = {}
    for n, (img, msg) in enumerate(ev):
        for key in (before, after):
            if img == key[0] and msg.startswith(key[1]) and key not in idx:
                idx[key] = n
    assert before in idx and after in idx and idx[before] < idx[after], (before, after, ev)


OK_ALL = ("ok", "ok", "ok", "ok", "ok")


def test_run_over_commits(quai_bin, env, registry, busybox_image, tmp_path):
    ns = "qr" + uuid.uuid4().hex[:8]
    reg = registry["host"]
    repo = Repo(tmp_path, reg, ns)
    # base: a .dockerignored secret; child FROM base:latest; grandchild FROM
    # the registry name of child; sibling FROM base:1; indep with a VERSION
    image(repo, "base", busybox_image, run="echo base > /base.txt", extra="COPY . /srv/base/\n",
          tests=content_test("/base.txt", "base") + "fileExistenceTests:\n"
          "  - {name: secret, path: /srv/base/secret.txt, shouldExist: false}\n"
          "  - {name: hello, path: /srv/base/hello.txt, shouldExist: true}\n")
    repo.write("base/hello.txt", "hello\n")
    repo.write("base/secret.txt", "s1\n")
    repo.write("base/.dockerignore", "secret.txt\n")
    image(repo, "child", "base:latest", run="cp /base.txt /child.txt", tests=content_test("/child.txt", "base"))
    repo.write("child/hello.txt", "1\n")
    image(repo, "grandchild", f"{reg}/{ns}/child", run="cp /child.txt /grandchild.txt",
          tests=content_test("/grandchild.txt", "base"))
    image(repo, "sibling", "base:1", run="cp /base.txt /sibling.txt")
    image(repo, "indep", busybox_image, run="echo indep > /indep.txt")
    repo.write("indep/VERSION", "2.3.4\n")
    c1 = repo.commit("one")

    r, rep = quai_run(quai_bin, env, repo)
    assert r.returncode == 0, r.stdout + r.stderr
    assert rep["commit"] == c1 and rep["since"] is None and rep["status"] == "success"
    first = "no earlier commit to compare with"
    assert reasons(rep) == {"base": [first], "child": [first, "depends on base"],
                            "grandchild": [first, "depends on child"], "sibling": [first, "depends on base"],
                            "indep": [first]}
    order = [i["name"] for i in rep["images"]]
    assert order.index("base") < order.index("child") < order.index("grandchild")
    assert order.index("base") < order.index("sibling")
    assert steps(rep) == {"base": OK_ALL, "child": OK_ALL, "grandchild": OK_ALL,
                          "sibling": ("ok", "ok", "none", "ok", "ok"), "indep": ("ok", "ok", "none", "ok", "ok")}
    ev = events(r.stderr)
    assert_order(ev, ("base", "build ok"), ("child", "build started"))
    assert_order(ev, ("base", "build ok"), ("sibling", "build started"))
    assert_order(ev, ("child", "build ok"), ("grandchild", "build started"))
    assert_order(ev, ("base", "test ok"), ("child", "push started"))
    assert_order(ev, ("child", "test ok"), ("grandchild", "push started"))
    s1 = c1[:7]
    versions = {"base": "0.1.0", "child": "0.1.0", "grandchild": "0.1.0", "sibling": "0.1.0", "indep": "2.3.4"}
    for name, v in versions.items():
        x, y, _ = v.split(".")
        assert tags_of(registry, f"{ns}/{name}") == sorted([v, f"{x}.{y}", x, "latest", s1]), name
        d = digest_of(registry, f"{ns}/{name}", v)
        assert {digest_of(registry, f"{ns}/{name}", t) for t in ("latest", s1)} == {d}
        assert by_name(rep)[name]["digest"] == d and by_name(rep)[name]["version"] == v
    assert repo.origin_tags() == {f"{n}/v{v}": c1 for n, v in versions.items()}
    assert "| " not in r.stdout and re.search(r"^grandchild\s+0\.1\.0\s+ok\s+ok\s+ok\s+ok\s+\S+s\s+sha256:", r.stdout, re.M)
    assert (repo.root / ".quai/.gitignore").read_text() == "*\n"
    assert git(repo.root, "status", "--porcelain") == ""

    # nothing changed: nothing is built
    r, rep = quai_run(quai_bin, env, repo)
    assert r.returncode == 0 and "nothing to build" in r.stderr and not events(r.stderr), r.stderr

    # only a .dockerignored file and a file outside every image change
    repo.write("base/secret.txt", "s2\n")
    repo.write("README.md", "docs\n")
    c2 = repo.commit("two")
    r, rep = quai_run(quai_bin, env, repo)
    assert r.returncode == 0 and "nothing to build" in r.stderr, r.stderr

    # a lint error stops the run before anything is built
    repo.write("child/hello.txt", "2\n")
    image(repo, "lintbad", busybox_image, extra="WORKDIR app\n")
    repo.commit("three")
    r, rep = quai_run(quai_bin, env, repo)
    assert r.returncode == 1, r.stderr
    assert "lintbad/Dockerfile:4:1 error DL3000" in r.stderr
    assert steps(rep) == {"child": ("ok", "skipped", "skipped", "skipped", "skipped"),
                          "grandchild": ("ok", "skipped", "skipped", "skipped", "skipped"),
                          "lintbad": ("failed", "skipped", "skipped", "skipped", "skipped")}
    assert not any(msg.endswith("started") for _, msg in events(r.stderr))
    assert tags_of(registry, f"{ns}/lintbad") == []

    # lint fixed, child's tests fail: grandchild stops, lintbad goes on
    image(repo, "lintbad", busybox_image, extra="WORKDIR /app\n")
    repo.write("child/tests.yml", 'schemaVersion: "2.0.0"\n' + content_test("/child.txt", "nope"))
    c4 = repo.commit("four")
    r, rep = quai_run(quai_bin, env, repo)
    assert r.returncode == 1, r.stdout + r.stderr
    assert reasons(rep) == {"child": ["changed: child/hello.txt", "changed: child/tests.yml"],
                            "grandchild": ["depends on child"], "lintbad": ["changed: lintbad/Dockerfile"]}
    assert rep["since"] == c2
    st = steps(rep)
    assert st["child"] == ("ok", "ok", "failed", "skipped", "skipped")
    # grandchild may have been built while child was tested; it goes no further
    gc = by_name(rep)["grandchild"]
    assert st["grandchild"] in (("ok", "ok", "skipped", "skipped", "skipped"),
                                ("ok", "skipped", "skipped", "skipped", "skipped"))
    assert gc["test"]["note"] == "depends on child, whose tests failed"
    assert st["lintbad"] == ("ok", "ok", "none", "ok", "ok")
    assert "child: test failed" in r.stdout and "log: " in r.stdout
    assert tags_of(registry, f"{ns}/child") == sorted(["0.1.0", "0.1", "0", "latest", s1])
    assert tags_of(registry, f"{ns}/lintbad") == sorted(["0.1.0", "0.1", "0", "latest", c4[:7]])

    # fixed: child, grandchild (and lintbad, changed since the last success) are released
    repo.write("child/tests.yml", 'schemaVersion: "2.0.0"\n' + content_test("/child.txt", "base"))
    c5 = repo.commit("five")
    r, rep = quai_run(quai_bin, env, repo)
    assert rep["since"] == c2 and reasons(rep) == {"child": ["changed: child/hello.txt"],
                                                   "grandchild": ["depends on child"],
                                                   "lintbad": ["changed: lintbad/Dockerfile"]}
    assert r.returncode == 0, r.stdout + r.stderr
    assert [i["name"] for i in rep["images"]] in (["child", "grandchild", "lintbad"], ["child", "lintbad", "grandchild"],
                                                  ["lintbad", "child", "grandchild"])
    assert {n: i["version"] for n, i in by_name(rep).items()} == {"child": "0.1.1", "grandchild": "0.1.1",
                                                                  "lintbad": "0.1.1"}
    assert tags_of(registry, f"{ns}/child") == sorted(["0.1.0", "0.1.1", "0.1", "0", "latest", s1, c5[:7]])
    assert digest_of(registry, f"{ns}/child", "0.1") == digest_of(registry, f"{ns}/child", "0.1.1") \
        != digest_of(registry, f"{ns}/child", "0.1.0")
    assert repo.origin_tags() == {**{f"{n}/v{v}": c1 for n, v in versions.items()}, "lintbad/v0.1.0": c4,
                                  "child/v0.1.1": c5, "grandchild/v0.1.1": c5, "lintbad/v0.1.1": c5}
    r, rep = quai_run(quai_bin, env, repo)
    assert r.returncode == 0 and "nothing to build" in r.stderr, r.stderr

    # indep changes but its VERSION does not: 2.3.4 is released, never replaced
    repo.write("indep/extra.txt", "x\n")
    repo.commit("six")
    r, rep = quai_run(quai_bin, env, repo)
    assert r.returncode == 1, r.stdout + r.stderr
    assert steps(rep)["indep"] == ("ok", "ok", "none", "failed", "skipped")
    assert by_name(rep)["indep"]["push"]["note"] == (f"version 2.3.4 of 'indep' was released from commit {c1[:12]} "
                                                     "(git tag 'indep/v2.3.4'): raise its VERSION file")
    indep_tags = sorted(["2.3.4", "2.3", "2", "latest", s1])
    assert tags_of(registry, f"{ns}/indep") == indep_tags
    repo.write("indep/VERSION", "2.4.0\n")
    c7 = repo.commit("seven")
    r, rep = quai_run(quai_bin, env, repo)
    assert r.returncode == 0, r.stdout + r.stderr
    assert [i["name"] for i in rep["images"]] == ["indep"] and by_name(rep)["indep"]["version"] == "2.4.0"
    assert tags_of(registry, f"{ns}/indep") == sorted(indep_tags + ["2.4.0", "2.4", c7[:7]])
    assert digest_of(registry, f"{ns}/indep", "2") == digest_of(registry, f"{ns}/indep", "2.4.0") \
        != digest_of(registry, f"{ns}/indep", "2.3")
    assert repo.origin_tags()["indep/v2.4.0"] == c7

    # another branch: the branch's tag and the commit's, no version, no git tag
    git(repo.root, "checkout", "-q", "-b", "feature/X")
    repo.write("sibling/extra.txt", "x\n")
    c8 = repo.commit("eight")
    r, rep = quai_run(quai_bin, env, repo)
    assert r.returncode == 0, r.stdout + r.stderr
    assert [i["name"] for i in rep["images"]] == ["sibling"]
    assert steps(rep)["sibling"] == ("ok", "ok", "none", "ok", "none")
    assert tags_of(registry, f"{ns}/sibling") == sorted(["0.1.0", "0.1", "0", "latest", s1, "feature-x", c8[:7]])
    assert len(repo.origin_tags()) == 10


def test_sigkill_then_rerun(quai_bin, env, registry, busybox_image, tmp_path):
    ns = "qk" + uuid.uuid4().hex[:8]
    repo = Repo(tmp_path, registry["host"], ns)
    image(repo, "a", busybox_image, run="echo a > /a.txt", tests=content_test("/a.txt", "a"))
    image(repo, "b", "a", run="sleep 4 && cp /a.txt /b.txt", tests=content_test("/b.txt", "a"))
    image(repo, "c", busybox_image, run="echo c > /c.txt")
    head = repo.commit("one")
    p = subprocess.Popen([quai_bin, "run", "--jobs", "1", str(repo.root)], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, start_new_session=True)

    def record():
        for f in (repo.root / ".quai/runs").glob("*/run.json"):
            try:
                return json.loads(f.read_text())
            except (OSError, ValueError):
                return None
        return None

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        rec = record()
        if rec and by_name(rec)["a"]["tag"]["status"] == "ok" and by_name(rec)["b"]["build"]["status"] == "running":
            break
        assert p.poll() is None, p.communicate()
        time.sleep(0.1)
    else:
        pytest.fail("the run never reached b's build")
    # one run at a time in a repository
    r2 = subprocess.run([quai_bin, "run", str(repo.root)], env=env, capture_output=True, text=True, timeout=60)
    assert r2.returncode == 2 and "another quai run is running" in r2.stderr, r2.stderr
    # only quai itself is killed: its running step ends with it
    assert steps_of(repo.root)
    os.kill(p.pid, signal.SIGKILL)
    p.communicate()
    deadline = time.monotonic() + 3  # b's RUN sleeps 4 s
    while steps_of(repo.root) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not steps_of(repo.root), "a step outlived the killed run"
    first = by_name(record())
    a_digest = digest_of(registry, f"{ns}/a", "0.1.0")
    assert first["a"]["digest"] == a_digest

    r, rep = quai_run(quai_bin, env, repo)
    assert r.returncode == 0, r.stdout + r.stderr
    imgs = by_name(rep)
    # a finished in the killed run: nothing of it is done again
    assert imgs["a"]["build"]["note"].startswith("run ") and imgs["a"]["test"]["note"].startswith("run ")
    assert imgs["a"]["push"]["note"] == "pushed before" and imgs["a"]["image_id"] == first["a"]["image_id"]
    assert not any(img == "a" and msg.endswith("started") for img, msg in events(r.stderr))
    assert imgs["b"]["build"]["status"] == "ok" and "note" not in imgs["b"]["build"]
    assert digest_of(registry, f"{ns}/a", "0.1.0") == a_digest
    for name in ("a", "b", "c"):
        assert tags_of(registry, f"{ns}/{name}") == sorted(["0.1.0", "0.1", "0", "latest", head[:7]])
        assert digest_of(registry, f"{ns}/{name}", head[:7]) == imgs[name]["digest"]
    assert repo.origin_tags() == {"a/v0.1.0": head, "b/v0.1.0": head, "c/v0.1.0": head}

    # killed between c's push and its tag, then a new commit: 0.1.0 is taken
    git(repo.root, "tag", "-d", "c/v0.1.0")
    git(repo.root, "push", "-q", "origin", ":refs/tags/c/v0.1.0")
    repo.write("c/more.txt", "x\n")
    c2 = repo.commit("two")
    r, rep = quai_run(quai_bin, env, repo)
    assert r.returncode == 0, r.stdout + r.stderr
    assert by_name(rep)["c"]["version"] == "0.1.1"
    assert tags_of(registry, f"{ns}/c") == sorted(["0.1.0", "0.1.1", "0.1", "0", "latest", head[:7], c2[:7]])


def test_only_and_no_push(quai_bin, env, registry, busybox_image, tmp_path):
    ns = "qo" + uuid.uuid4().hex[:8]
    repo = Repo(tmp_path, registry["host"], ns)
    image(repo, "a", busybox_image, run="echo a > /a.txt", tests=content_test("/a.txt", "a"))
    image(repo, "b", "a", run="cp /a.txt /b.txt")
    repo.write("a/VERSION", "not-a-version\n")
    repo.commit("one")
    # what is pushed must be what the commit holds
    repo.write("a/new.txt", "x\n")
    r, rep = quai_run(quai_bin, env, repo)
    assert r.returncode == 2 and "'a/new.txt' has uncommitted changes and goes into image 'a'" in r.stderr, r.stderr
    (repo.root / "a" / "new.txt").unlink()
    r, rep = quai_run(quai_bin, env, repo, "--only", "a", "--no-push")
    assert r.returncode == 0, r.stdout + r.stderr
    assert steps(rep) == {"a": ("ok", "ok", "ok", "skipped", "skipped")}
    assert re.search(r"^a\s+-\s+ok\s+ok\s+ok\s+-\s", r.stdout, re.M), r.stdout
    assert tags_of(registry, f"{ns}/a") == []
    # neither --only nor --no-push records a success: the next run does both images
    r, rep = quai_run(quai_bin, env, repo)
    assert r.returncode == 1, r.stdout + r.stderr
    a = by_name(rep)["a"]
    assert a["build"]["note"].startswith("run ") and a["push"]["status"] == "failed"
    assert a["push"]["note"] == "a/VERSION: 'not-a-version' is not a version: write X.Y.Z (like 1.4.2)"
    # b is built FROM a, which did not push: b is pushed all the same
    assert steps(rep)["b"] == ("ok", "ok", "none", "ok", "ok")
    r = subprocess.run([quai_bin, "run", "--only", "nosuch", str(repo.root)], env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 2 and "--only 'nosuch': the repository has no such image" in r.stderr, r.stderr


def test_fresh_clone_pulls_released_parent(quai_bin, env, registry, busybox_image, docker_cli, tmp_path):
    ns = "qf" + uuid.uuid4().hex[:8]
    reg = registry["host"]
    repo = Repo(tmp_path, reg, ns)
    image(repo, "a", busybox_image, run="echo a > /a.txt")
    image(repo, "b", f"{reg}/{ns}/a:latest", run="cp /a.txt /b.txt", tests=content_test("/b.txt", "a"))
    c1 = repo.commit("one")
    r, rep = quai_run(quai_bin, env, repo)
    assert r.returncode == 0, r.stdout + r.stderr
    # another machine: a clone with no .quai, an engine without a's image
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo.root), str(clone))
    git(clone, "checkout", "-q", "-b", "topic")
    (clone / "b" / "more.txt").write_text("x\n")
    git(clone, "add", "-A")
    git(clone, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "two")
    docker_cli("rmi", *[f"{reg}/{ns}/a:{t}" for t in ("0.1.0", "0.1", "0", "latest", c1[:7])], check=True)
    report = tmp_path / "clone-report.json"
    r = subprocess.run([quai_bin, "run", "--report", str(report), str(clone)], env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    rep = json.loads(report.read_text())
    assert [i["name"] for i in rep["images"]] == ["b"] and steps(rep)["b"] == ("ok", "ok", "ok", "ok", "none")
    assert tags_of(registry, f"{ns}/b") == sorted(["0.1.0", "0.1", "0", "latest", c1[:7], "topic",
                                                   git(clone, "rev-parse", "--short=7", "HEAD")])
    # a release made elsewhere (only in origin) counts for the next version
    git(clone, "-c", "user.name=T", "-c", "user.email=t@example.com", "tag", "-a", "-m", "x", "a/v0.5.0", c1)
    git(clone, "push", "-q", str(repo.origin), "a/v0.5.0")
    assert "a/v0.5.0" not in git(repo.root, "tag")
    repo.write("a/more.txt", "x\n")
    c3 = repo.commit("three")
    r, rep = quai_run(quai_bin, env, repo)
    assert r.returncode == 0, r.stdout + r.stderr
    assert {n: i["version"] for n, i in by_name(rep).items()} == {"a": "0.5.1", "b": "0.1.1"}
    assert repo.origin_tags() == {"a/v0.1.0": c1, "b/v0.1.0": c1, "a/v0.5.0": c1, "a/v0.5.1": c3,
                                  "b/v0.1.1": c3}


def test_live_lines_on_a_terminal(quai_bin, env, registry, busybox_image, tmp_path):
    repo = Repo(tmp_path, registry["host"], "qt" + uuid.uuid4().hex[:8])
    image(repo, "a", busybox_image, run="sleep 1")
    repo.commit("one")
    master, slave = pty.openpty()
    p = subprocess.Popen([quai_bin, "run", "--no-push", str(repo.root)], env={**env, "TERM": "xterm"},
                         stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    tty = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        tty += chunk
    os.close(master)
    out, _ = p.communicate(timeout=120)
    assert p.returncode == 0, tty
    text = tty.decode()
    # a line redrawn in place: up a line, clear it, the step and its elapsed time
    assert "\x1b[1A\r\x1b[K  a      build " in text, text
    assert re.search(r"a +build +\d+\.\ds", text) and "done" in text
    assert not events(text.replace("\r", "")), "timestamped lines on a terminal"
    assert re.search(rb"^a +- +ok +ok +- +- ", out, re.M), out


def test_usage_errors(quai, tmp_path):
    r = quai("run", "--jobs", "0")
    assert r.returncode == 2 and "--jobs '0'" in r.stderr
    r = quai("run", "a", "b")
    assert r.returncode == 2 and "at most one directory" in r.stderr
    r = quai("run", str(tmp_path))
    assert r.returncode == 2 and r.stderr.startswith("quai: run: "), r.stderr
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "Dockerfile").write_text("FROM scratch\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "one")
    r = quai("run", str(tmp_path))
    assert r.returncode == 2 and "nowhere to push: set `registry`" in r.stderr, r.stderr
