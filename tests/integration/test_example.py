"""README's first set-up command: scripts/example.sh lints, builds, tests and
pushes the bundled example images to a registry it starts, then stops it and
leaves nothing behind. Runs against the test engine (DOCKER_HOST), with a
private state directory for its own registry."""
import os
import pathlib
import re
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_example_script_lints_builds_tests_and_pushes(quai_bin, docker_env, tmp_path):
    state = tmp_path / "example-env"
    env = dict(os.environ)
    env.update(docker_env)
    env.update({"QUAI": quai_bin, "QUAI_TESTENV_DIR": str(state)})
    env.pop("QUAI_REGISTRY_USER", None)
    env.pop("QUAI_REGISTRY_PASSWORD", None)
    r = subprocess.run([str(ROOT / "scripts/example.sh")], env=env, capture_output=True, text=True,
                       timeout=180)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    for step in ("==> quai lint examples/", "==> quai build -t x3-base:1 examples/dockers/x3-base",
                 "==> quai build -t x3-webdav:1 examples/dockers/x3-webdav",
                 "==> quai test --dir examples/dockers/x3-webdav x3-webdav:1", "==> pushed",
                 "==> stopping the environment"):
        assert step in out, out
    assert "8 passed, 0 failed" in out, out
    assert "5 passed, 0 failed" in out, out
    pushed = out.split("==> pushed", 1)[1]
    assert re.search(r"^127\.0\.0\.1:\d+/x3-base:1@sha256:[0-9a-f]{64}$", pushed, re.M), out
    assert re.search(r"^127\.0\.0\.1:\d+/x3-webdav:1@sha256:[0-9a-f]{64}$", pushed, re.M), out
    assert not state.exists(), "the state directory is left behind"
    assert not (ROOT / "examples/dockers/x3-base/busybox").exists(), "the busybox copy is left behind"
