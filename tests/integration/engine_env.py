"""Fixtures shared by the tests that need a real Docker engine (test_engine*.py):
the engine_probe test program, the engine of the test environment
(testenv.py's docker_env: a test fails, not skips, when it is missing) and a
FROM scratch busybox image built by the client itself."""
import io
import os
import pathlib
import shutil
import subprocess
import tarfile
import uuid

import pytest

@pytest.fixture(scope="session")
def probe_bin(quai_bin):
    p = pathlib.Path(quai_bin).resolve().parents[2] / "tests" / "unit" / "engine" / "engine_probe"
    if not p.exists():
        pytest.fail(f"engine_probe not built at {p} (it needs cmocka)", pytrace=False)
    return str(p)


@pytest.fixture(scope="session")
def engine_host(docker_env):
    return docker_env["DOCKER_HOST"]


@pytest.fixture(scope="session")
def probe(probe_bin, engine_host):
    def run(*args, check=True, timeout=120, stdin=None):
        r = subprocess.run([probe_bin, *map(str, args)], env={**os.environ, "DOCKER_HOST": engine_host},
                           capture_output=True, text=True, timeout=timeout, input=stdin)
        if check:
            assert r.returncode == 0, r.stderr
        return r

    return run


@pytest.fixture(scope="session")
def run_id():
    return "test-engine-" + uuid.uuid4().hex[:10]


def tar_of(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for name, data, mode in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = mode
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.fixture(scope="session")
def base_image(probe, tmp_path_factory, run_id):
    """A FROM scratch image with the static busybox, built by the client itself."""
    bb = shutil.which("busybox") or "/bin/busybox"
    if not os.path.exists(bb):
        pytest.fail("no static busybox (apt-get install busybox-static)", pytrace=False)
    dockerfile = (b"FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n"
                  b"ENV PATH=/bin\n")
    ctx = tmp_path_factory.mktemp("base") / "ctx.tar"
    ctx.write_bytes(tar_of([("Dockerfile", dockerfile, 0o644), ("busybox", pathlib.Path(bb).read_bytes(), 0o755)]))
    tag = f"quai-test-engine/base:{run_id}"
    r = probe("build", ctx, "-t", tag, timeout=300)
    assert r.stdout.splitlines()[-1].startswith("ID sha256:")
    yield tag
    probe("rmi", tag, check=False)
