"""Shared fixtures: the quai binary under test and the shared corpus."""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _quai_bin():
    env = os.environ.get("QUAI_BIN")
    if env:
        return env
    for cand in ("build-asan/src/cli/quai", "build/src/cli/quai"):
        p = ROOT / cand
        if p.exists():
            return str(p)
    raise RuntimeError("no quai binary: set QUAI_BIN or build first")


@pytest.fixture(scope="session")
def quai_bin():
    return _quai_bin()


@pytest.fixture
def quai(quai_bin):
    """Runs quai with arguments; returns the CompletedProcess (text mode)."""

    def run(*args, stdin=None, cwd=None, env=None, timeout=60):
        full_env = dict(os.environ)
        full_env.pop("NO_COLOR", None)
        if env:
            full_env.update(env)
        return subprocess.run([quai_bin, *map(str, args)], input=stdin, cwd=cwd, env=full_env,
                              capture_output=True, text=True, timeout=timeout)

    return run


@pytest.fixture(scope="session")
def corpus():
    p = pathlib.Path(os.environ.get("QUAI_CORPUS", ROOT.parent / "shared" / "corpus"))
    if not p.is_dir():
        pytest.skip(f"corpus not found at {p}")
    return p


# The test environment (engine, registries, images): see testenv.py.
from testenv import (_testenv, busybox_image, docker_cli, docker_env, http_image,  # noqa: E402,F401
                     registry, registry_noauth)
