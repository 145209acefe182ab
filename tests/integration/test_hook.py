"""quai hook: a real bare repository with the pre-receive hook installed,
pushed to over the file protocol and over `git daemon` on loopback; the
pre-commit hook in a working copy; quai hook install."""
import os
import pathlib
import shutil
import socket
import subprocess
import time

import pytest

from lintenv import clean_env

BAD_DOCKERFILE = "FROM debian:12\nRUNN echo hi\n"
GOOD_DOCKERFILE = "FROM debian:12\nRUN echo hi\n"
BAD_COMPOSE = "services:\n  web:\n    image: nginx:1.25\n    environment:\n      DB_PASSWORD: hunter2\n"
GOOD_COMPOSE = ("services:\n  web:\n    image: nginx:1.25\n    restart: unless-stopped\n"
                "    environment:\n      DB_PASSWORD: ${DB_PASSWORD}\n")
ZERO = "0" * 40


@pytest.fixture
def env(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    e = clean_env(home, {
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
        "TMPDIR": str(tmp_path),
    })
    for k in ("QUAI_HOOK_FAILURE", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        e.pop(k, None)
    return e


def git(env, cwd, *args, check=True, stdin=None):
    r = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, input=stdin,
                       timeout=60)
    if check and r.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {r.stderr}")
    return r


@pytest.fixture
def repos(tmp_path, env, quai):
    """A bare server repository with quai's pre-receive hook, and a clone."""
    srv = tmp_path / "srv.git"
    git(env, tmp_path, "init", "-q", "--bare", "-b", "main", str(srv))
    r = quai("hook", "install", srv, env=env)
    assert r.returncode == 0, r.stderr
    work = tmp_path / "work"
    git(env, tmp_path, "init", "-q", "-b", "main", str(work))
    git(env, work, "remote", "add", "origin", str(srv))
    return srv, work


def commit(env, work, files, msg="change"):
    for name, text in files.items():
        p = work / name
        if text is None:
            git(env, work, "rm", "-q", name)
            continue
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        git(env, work, "add", name)
    git(env, work, "commit", "-q", "--allow-empty", "-m", msg)
    return git(env, work, "rev-parse", "HEAD").stdout.strip()


def push(env, work, *refspecs):
    return git(env, work, "push", "origin", *refspecs, check=False)


def server_ref(env, srv, ref):
    r = git(env, srv, "rev-parse", "--verify", "-q", ref, check=False)
    return r.stdout.strip() if r.returncode == 0 else None


def test_install_writes_an_exec_of_quai(repos, env, quai, quai_bin):
    srv, _ = repos
    hook = srv / "hooks" / "pre-receive"
    text = hook.read_text()
    assert os.access(hook, os.X_OK)
    lines = text.splitlines()
    assert lines[0] == "#!/bin/sh"
    engine = pathlib.Path(quai_bin).resolve().parent / "quai-repo"
    assert lines[-1] == f"exec '{engine}' hook pre-receive \"$@\""
    # quai's own hook is replaced; a foreign one only with --force
    assert quai("hook", "install", "--pre-receive", srv, env=env).returncode == 0
    hook.write_text("#!/bin/sh\necho mine\n")
    r = quai("hook", "install", srv, env=env)
    assert r.returncode == 2
    assert "quai did not write it" in r.stderr and "--force" in r.stderr
    assert hook.read_text() == "#!/bin/sh\necho mine\n"
    r = quai("hook", "install", "--force", srv, env=env)
    assert r.returncode == 0 and "exec '" in hook.read_text()


def test_install_outside_a_repository_is_a_usage_error(tmp_path, env, quai):
    r = quai("hook", "install", tmp_path, env=env)
    assert r.returncode == 2
    assert "not a git repository" in r.stderr


def test_broken_dockerfile_is_refused_with_the_finding(repos, env):
    srv, work = repos
    commit(env, work, {"README": "x\n"})
    assert push(env, work, "main").returncode == 0
    commit(env, work, {"app/Dockerfile": BAD_DOCKERFILE})
    r = push(env, work, "main")
    assert r.returncode != 0
    assert "remote: app/Dockerfile:2:1 error DL1000" in r.stderr
    assert "push rejected" in r.stderr
    assert "pre-receive hook declined" in r.stderr
    assert server_ref(env, srv, "refs/heads/main") != git(env, work, "rev-parse", "HEAD").stdout.strip()


def test_broken_compose_file_is_refused(repos, env):
    srv, work = repos
    commit(env, work, {"docker-compose.yml": BAD_COMPOSE})
    r = push(env, work, "main")
    assert r.returncode != 0
    assert "remote: docker-compose.yml:5:20 error QC3004" in r.stderr
    assert server_ref(env, srv, "refs/heads/main") is None


def test_compose_yaml_syntax_error_is_refused(repos, env):
    _, work = repos
    commit(env, work, {"deploy/compose.yaml": "services:\n  web: [\n"})
    r = push(env, work, "main")
    assert r.returncode != 0
    assert "remote: deploy/compose.yaml:" in r.stderr and "QC1000" in r.stderr


def test_good_push_is_accepted_with_warnings_shown(repos, env):
    srv, work = repos
    head = commit(env, work, {"Dockerfile": "FROM debian\nRUN echo hi\n", "compose.yaml": GOOD_COMPOSE})
    r = push(env, work, "main")
    assert r.returncode == 0, r.stderr
    assert "remote: Dockerfile:1:1 warning DL3006" in r.stderr
    assert "checked 2 files" in r.stderr
    assert server_ref(env, srv, "refs/heads/main") == head


def test_only_changed_files_are_checked(repos, env):
    srv, work = repos
    # a bad file already on the server (put there past the hook) is not checked again
    commit(env, work, {"old/Dockerfile": BAD_DOCKERFILE})
    subprocess.run(["git", "--git-dir", str(srv), "fetch", "-q", str(work), "main:main"], env=env, check=True,
                   capture_output=True)
    head = commit(env, work, {"new/Dockerfile": GOOD_DOCKERFILE, "notes.txt": "x\n"})
    r = push(env, work, "main")
    assert r.returncode == 0, r.stderr
    assert "old/Dockerfile" not in r.stderr
    assert "checked 1 file" in r.stderr
    assert server_ref(env, srv, "refs/heads/main") == head


def test_a_mistake_fixed_later_in_the_same_push_passes(repos, env):
    srv, work = repos
    commit(env, work, {"Dockerfile": BAD_DOCKERFILE})
    head = commit(env, work, {"Dockerfile": GOOD_DOCKERFILE})
    r = push(env, work, "main")
    assert r.returncode == 0, r.stderr
    assert server_ref(env, srv, "refs/heads/main") == head


def test_new_branch_delete_and_tags(repos, env):
    srv, work = repos
    base = commit(env, work, {"Dockerfile": GOOD_DOCKERFILE})
    assert push(env, work, "main").returncode == 0
    # a new branch at a commit the server has: nothing new to check
    r = push(env, work, "main:refs/heads/copy")
    assert r.returncode == 0, r.stderr
    assert "remote: Dockerfile" not in r.stderr
    # a new branch with a bad commit of its own
    git(env, work, "checkout", "-q", "-b", "topic")
    commit(env, work, {"svc/Dockerfile": BAD_DOCKERFILE})
    r = push(env, work, "topic")
    assert r.returncode != 0 and "svc/Dockerfile:2:1 error DL1000" in r.stderr
    assert server_ref(env, srv, "refs/heads/topic") is None
    # deleting a branch is never checked
    r = push(env, work, ":refs/heads/copy")
    assert r.returncode == 0, r.stderr
    assert server_ref(env, srv, "refs/heads/copy") is None
    # tags: an annotated tag of the bad commit is checked like a branch; of a known commit, passes
    git(env, work, "tag", "-a", "-m", "v", "v-bad")
    r = push(env, work, "refs/tags/v-bad")
    assert r.returncode != 0 and "svc/Dockerfile:2:1 error DL1000" in r.stderr
    git(env, work, "tag", "v1", base)
    git(env, work, "tag", "-a", "-m", "v", "v1a", base)
    r = push(env, work, "refs/tags/v1", "refs/tags/v1a")
    assert r.returncode == 0, r.stderr
    assert server_ref(env, srv, "refs/tags/v1") == base


def test_force_push(repos, env):
    srv, work = repos
    commit(env, work, {"Dockerfile": GOOD_DOCKERFILE})
    commit(env, work, {"x.txt": "1\n"})
    assert push(env, work, "main").returncode == 0
    git(env, work, "reset", "-q", "--hard", "HEAD~1")
    commit(env, work, {"Dockerfile": BAD_DOCKERFILE}, "rewrite")
    r = push(env, work, "--force", "main")
    assert r.returncode != 0 and "Dockerfile:2:1 error DL1000" in r.stderr
    git(env, work, "reset", "-q", "--hard", "HEAD~1")
    head = commit(env, work, {"compose.yaml": GOOD_COMPOSE}, "rewrite")
    r = push(env, work, "--force", "main")
    assert r.returncode == 0, r.stderr
    assert server_ref(env, srv, "refs/heads/main") == head


def test_pragma_and_server_config(repos, env):
    srv, work = repos
    commit(env, work, {"compose.yaml": "services:\n  web:\n    image: nginx:1.25\n    environment:\n"
                                       "      # quai ignore=QC3004\n      DB_PASSWORD: dev-only\n"})
    r = push(env, work, "main")
    assert r.returncode == 0, r.stderr
    assert "QC3004" not in r.stderr
    # the server's threshold: warnings reject too
    git(env, srv, "config", "quai.failureThreshold", "warning")
    commit(env, work, {"Dockerfile": "FROM debian\n"})
    r = push(env, work, "main")
    assert r.returncode != 0 and "DL3006" in r.stderr


def test_own_failure_fails_open_loudly_or_closed(repos, env):
    srv, work = repos
    (srv / ".hadolint.yaml").write_text("ignored: [\n")  # the hook cannot read its configuration
    commit(env, work, {"Dockerfile": BAD_DOCKERFILE})
    r = push(env, work, "main")
    assert r.returncode == 0
    assert "remote: quai: the pre-receive hook failed" in r.stderr
    assert "ACCEPTED WITHOUT BEING CHECKED" in r.stderr
    git(env, srv, "config", "quai.hookFailure", "closed")
    commit(env, work, {"x.txt": "1\n"})
    r = push(env, work, "main")
    assert r.returncode != 0
    assert "REJECTED because the hook could not check it" in r.stderr


def test_bad_input_from_git_is_an_own_failure(repos, env, quai):
    srv, _ = repos
    r = quai("hook", "pre-receive", "--fail-closed", stdin="not a ref update\n", cwd=srv,
             env={**env, "GIT_DIR": str(srv)})
    assert r.returncode == 1
    assert "expected '<old> <new> <ref>'" in r.stderr
    r = quai("hook", "pre-receive", stdin=f"{ZERO} {'f' * 40} refs/heads/x\n", cwd=srv,
             env={**env, "GIT_DIR": str(srv)})
    assert r.returncode == 0 and "ACCEPTED WITHOUT BEING CHECKED" in r.stderr


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_push_over_git_daemon(repos, env, tmp_path):
    srv, work = repos
    if not shutil.which("git"):
        pytest.skip("no git")
    port = _free_port()
    daemon = subprocess.Popen(["git", "daemon", "--reuseaddr", "--listen=127.0.0.1", f"--port={port}",
                               "--export-all", "--enable=receive-pack", f"--base-path={tmp_path}",
                               str(tmp_path)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"git://127.0.0.1:{port}/srv.git"
        for _ in range(100):
            if git(env, work, "ls-remote", url, check=False).returncode == 0:
                break
            time.sleep(0.05)
        commit(env, work, {"Dockerfile": BAD_DOCKERFILE})
        r = git(env, work, "push", url, "main", check=False)
        assert r.returncode != 0
        assert "remote: Dockerfile:2:1 error DL1000" in r.stderr
        head = commit(env, work, {"Dockerfile": GOOD_DOCKERFILE})
        r = git(env, work, "push", url, "main", check=False)
        assert r.returncode == 0, r.stderr
        assert server_ref(env, srv, "refs/heads/main") == head
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)


def test_pre_commit_checks_staged_files_only(tmp_path, env, quai):
    work = tmp_path / "wc"
    git(env, tmp_path, "init", "-q", "-b", "main", str(work))
    r = quai("hook", "install", work, env=env)
    assert r.returncode == 0, r.stderr
    assert (work / ".git" / "hooks" / "pre-commit").exists()
    (work / "Dockerfile").write_text(BAD_DOCKERFILE)
    git(env, work, "add", "Dockerfile")
    r = git(env, work, "commit", "-q", "-m", "bad", check=False)
    assert r.returncode != 0
    assert "Dockerfile:2:1 error DL1000" in r.stderr and "commit rejected" in r.stderr
    # the staged version is what counts, not the working tree's
    (work / "Dockerfile").write_text(GOOD_DOCKERFILE)
    git(env, work, "add", "Dockerfile")
    (work / "Dockerfile").write_text(BAD_DOCKERFILE)
    r = git(env, work, "commit", "-q", "-m", "good", check=False)
    assert r.returncode == 0, r.stderr
    (work / "compose.yaml").write_text(BAD_COMPOSE)
    git(env, work, "add", "compose.yaml")
    r = git(env, work, "commit", "-q", "-m", "bad compose", check=False)
    assert r.returncode != 0 and "compose.yaml:5:20 error QC3004" in r.stderr


def test_compose_files_see_what_they_refer_to_in_the_pushed_tree(repos, env):
    srv, work = repos
    compose = ("services:\n  web:\n    build:\n      context: ./app\n      dockerfile: Dockerfile\n"
               "    image: web:${TAG:?set TAG in .env}\n    restart: always\n    env_file: app.env\n"
               "    secrets: [pw]\nsecrets:\n  pw:\n    file: secrets/pw.txt\n")
    head = commit(env, work, {"deploy/compose.yaml": compose, "deploy/app/Dockerfile": GOOD_DOCKERFILE,
                              "deploy/app.env": "X=1\n", "deploy/.env": "TAG=1.2\n",
                              "deploy/secrets/pw.txt": "pw\n"})
    r = push(env, work, "main")
    assert r.returncode == 0, r.stderr
    assert "QC1000" not in r.stderr
    assert server_ref(env, srv, "refs/heads/main") == head
    # a file the push does not have, a variable only the server's environment has: errors
    commit(env, work, {"deploy/app.env": None, "deploy/.env": "OTHER=1\n", "deploy/compose.yaml": compose + "\n"})
    r = git({**env, "TAG": "9"}, work, "push", "origin", "main", check=False)
    assert r.returncode != 0
    assert 'deploy/compose.yaml:8:15 error QC1000' in r.stderr and '"deploy/app.env" not found' in r.stderr
    assert "TAG" in r.stderr


def test_pre_commit_sees_what_commit_a_and_commit_file_commit(tmp_path, env, quai):
    work = tmp_path / "wc"
    git(env, tmp_path, "init", "-q", "-b", "main", str(work))
    assert quai("hook", "install", "--pre-commit", work, env=env).returncode == 0
    (work / "Dockerfile").write_text(GOOD_DOCKERFILE)
    git(env, work, "add", "Dockerfile")
    git(env, work, "commit", "-q", "-m", "ok")
    (work / "Dockerfile").write_text(BAD_DOCKERFILE)
    for args in (["-a"], ["Dockerfile"]):
        r = git(env, work, "commit", "-q", "-m", "bad", *args, check=False)
        assert r.returncode != 0, args
        assert "Dockerfile:2:1 error DL1000" in r.stderr
    assert git(env, work, "rev-list", "--count", "HEAD").stdout.strip() == "1"


def test_an_override_is_checked_with_its_base(repos, env):
    srv, work = repos
    commit(env, work, {"app/compose.yaml": GOOD_COMPOSE})
    assert push(env, work, "main").returncode == 0
    head = commit(env, work, {"app/compose.override.yaml": "services:\n  web:\n    ports: ['8080:80']\n"})
    r = push(env, work, "main")
    assert r.returncode == 0, r.stderr
    assert "QC1000" not in r.stderr
    assert server_ref(env, srv, "refs/heads/main") == head
    commit(env, work, {"app/compose.override.yaml": "services:\n  web:\n    environment:\n      API_TOKEN: x1\n"})
    r = push(env, work, "main")
    assert r.returncode != 0
    assert "remote: app/compose.override.yaml:4:18 error QC3004" in r.stderr
