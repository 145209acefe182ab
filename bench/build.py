#!/usr/bin/env python3
"""quai's build + test + push of the example images against the same steps
done with the docker CLI, in one run (see bench/README.md). Expects the
environment of scripts/testenv.sh in os.environ and the busybox copy in
examples/dockers/x3-base; bench/build.sh sets both up."""
import argparse
import json
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
EX = ROOT / "examples" / "dockers"
LABEL = "io.quai.test"


def run(cmd, env=None, check=True, quiet=True, stdin=None):
    r = subprocess.run(cmd, env=env, input=stdin, text=True,
                       stdout=subprocess.PIPE if quiet else None, stderr=subprocess.STDOUT if quiet else None)
    if check and r.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, cmd))} failed ({r.returncode}):\n{r.stdout or ''}")
    return r


def timed(fn):
    t0 = time.monotonic()
    fn()
    return time.monotonic() - t0


class Docker:
    """The same steps with the docker CLI: build, a docker run loop doing the
    checks of tests.yml, push."""

    def __init__(self, cli, env, network):
        self.cli, self.env, self.network = cli, env, network

    def dk(self, *args, check=True, stdin=None):
        return run([self.cli, *args], env=self.env, check=check, stdin=stdin)

    def expect(self, image, args, pattern=None):
        r = self.dk("run", "--rm", "--label", f"{LABEL}=1", "--network", "none", image, *args)
        if pattern and not re.search(pattern, r.stdout):
            sys.exit(f"bench: docker check {args} on {image}: {r.stdout!r} !~ {pattern}")

    def inspect(self, image):
        return json.loads(self.dk("image", "inspect", image).stdout)[0]["Config"]

    def test_base(self, image):
        self.expect(image, ["busybox", "true"])
        self.expect(image, ["sh", "-c", "echo hello | tr a-z A-Z"], r"^HELLO\n$")
        self.expect(image, ["id", "-u"], r"^10001\n$")
        self.expect(image, ["stat", "-c", "%A", "/tmp"], r"^drwxrwxrwt\n$")
        self.expect(image, ["test", "-e", "/bin/busybox"])
        self.expect(image, ["test", "-e", "/tmp"])
        self.expect(image, ["cat", "/etc/passwd"], r"(?m)^app:x:10001:10001:")
        c = self.inspect(image)
        assert any(re.search("/usr/bin", e) for e in c["Env"] if e.startswith("PATH=")), c
        assert c["Cmd"] == ["sh"] and c["User"] == "10001:10001", c

    def test_webdav(self, image):
        self.expect(image, ["sh", "-c", "command -v httpd"], r"httpd\n$")
        self.expect(image, ["cat", "/srv/www/index.html"], r"<h1>x3-webdav</h1>")
        c = self.inspect(image)
        assert "8080/tcp" in c["ExposedPorts"], c
        assert c["Cmd"] == ["httpd", "-f", "-p", "8080", "-h", "/srv/www"] and c["User"] == "10001:10001", c
        cid = self.dk("run", "-d", "--label", f"{LABEL}=1", "--network", self.network,
                      "-p", "127.0.0.1::8080", image).stdout.strip()
        try:
            deadline = time.monotonic() + 30
            while True:
                st = self.dk("inspect", "-f", "{{.State.Health.Status}}", cid).stdout.strip()
                if st == "healthy":
                    break
                if time.monotonic() > deadline:
                    sys.exit(f"bench: {image} is not healthy: {st}")
                time.sleep(0.1)
            port = self.dk("port", cid, "8080/tcp").stdout.split()[0].rsplit(":", 1)[1]
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as r:
                assert r.status == 200 and b"<h1>x3-webdav</h1>" in r.read()
        finally:
            self.dk("rm", "-f", "-v", cid, check=False)

    def cycle(self, registry, tag):
        for name, test in (("x3-base", self.test_base), ("x3-webdav", self.test_webdav)):
            self.dk("build", "--no-cache", "-t", f"{name}:1", str(EX / name))
            test(f"{name}:1")
            self.dk("tag", f"{name}:1", f"{registry}/{name}:{tag}")
            self.dk("push", f"{registry}/{name}:{tag}")


class Quai:
    def __init__(self, quai, env):
        self.quai, self.env = quai, env

    def q(self, *args):
        return run([self.quai, *args], env=self.env)

    def cycle(self, registry, tag):
        for name in ("x3-base", "x3-webdav"):
            self.q("build", "--no-cache", "--no-lint", "-t", f"{name}:1", str(EX / name))
            self.q("test", "--dir", str(EX / name), f"{name}:1")
            self.q("push", f"{name}:1", f"{registry}/{name}:{tag}")


def peak_rss_kb(cmd, env):
    """ru_maxrss of COMMAND under GNU time: build/quai execs quai-engine in
    the same process, so this is quai-engine's peak (the larger of the two)."""
    r = run(["/usr/bin/time", "-v", *cmd], env=env)
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stdout)
    return int(m.group(1))


STAMP = """for i in 1 2 3 4 5 6 7 8 9 10; do
  adjtimex | awk '/tv_sec/ { s = $2 } /tv_usec/ { printf "quai-latency %d.%06d\\n", s, $2 }'
  sleep 0.2
done
"""


def latency(cmd_prefix, ctx, env):
    """Seconds from a RUN step printing the wall clock in the build container
    to the line being read from the client's stdout pipe."""
    p = subprocess.Popen([*cmd_prefix, str(ctx)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         bufsize=0)
    lat = []
    buf = b""
    while True:
        chunk = p.stdout.read1(65536) if hasattr(p.stdout, "read1") else os.read(p.stdout.fileno(), 65536)
        now = time.time()
        if not chunk:
            break
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for line in lines:
            m = re.search(rb"quai-latency (\d+\.\d+)", line)
            if m and b"awk" not in line:
                lat.append(now - float(m.group(1)))
    p.wait()
    if p.returncode != 0 or not lat:
        sys.exit(f"bench: latency build {cmd_prefix} failed ({p.returncode}, {len(lat)} stamps)")
    return lat


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=5, help="repetitions")
    ap.add_argument("--quai", default=str(ROOT / "build" / "quai"))
    a = ap.parse_args()
    env = dict(os.environ)
    cli = env.get("QUAI_TEST_DOCKER_CLI") or shutil.which("docker")
    registry = env["QUAI_TEST_REGISTRY"]
    work = pathlib.Path(tempfile.mkdtemp(prefix="quai-bench-build-"))
    denv = dict(env, DOCKER_CONFIG=str(work / "docker-config"), DOCKER_BUILDKIT="0")
    qenv = dict(env, QUAI_REGISTRY_USER=env["QUAI_TEST_REGISTRY_USER"],
                QUAI_REGISTRY_PASSWORD=env["QUAI_TEST_REGISTRY_PASSWORD"], DOCKER_CONFIG=str(work / "quai-config"))
    network = f"quai-bench-{os.getpid()}"
    docker = Docker(cli, denv, network)
    quai = Quai(a.quai, qenv)
    docker.dk("login", "-u", env["QUAI_TEST_REGISTRY_USER"], "--password-stdin", registry,
              stdin=env["QUAI_TEST_REGISTRY_PASSWORD"])
    docker.dk("network", "create", "--label", f"{LABEL}=1", network)
    try:
        # one warm-up of each, then alternate which goes first
        quai.cycle(registry, "warm-q")
        docker.cycle(registry, "warm-d")
        tq, td = [], []
        for i in range(a.n):
            order = [("q", quai), ("d", docker)] if i % 2 == 0 else [("d", docker), ("q", quai)]
            for who, tool in order:
                t = timed(lambda: tool.cycle(registry, f"{who}{i}"))
                (tq if who == "q" else td).append(t)
            print(f"rep {i + 1}/{a.n}: quai {tq[-1]:.2f}s  docker CLI {td[-1]:.2f}s", flush=True)

        rss = {}
        rss["build"] = peak_rss_kb([a.quai, "build", "--no-cache", "-t", "x3-webdav:1", str(EX / "x3-webdav")], qenv)
        rss["test"] = peak_rss_kb([a.quai, "test", "--dir", str(EX / "x3-webdav"), "x3-webdav:1"], qenv)
        rss["push"] = peak_rss_kb([a.quai, "push", "x3-webdav:1", f"{registry}/x3-webdav:rss"], qenv)
        rss["lint"] = peak_rss_kb([a.quai, "lint", str(ROOT / "examples")], qenv)

        ctx = work / "latency"
        ctx.mkdir()
        (ctx / "stamp.sh").write_text(STAMP)
        (ctx / "Dockerfile").write_text('FROM x3-base:1\nCOPY stamp.sh /tmp/stamp.sh\nRUN ["sh", "/tmp/stamp.sh"]\n')
        lq = latency([a.quai, "build", "--no-cache", "--no-lint", "-t", "quai-bench-latency:1"], ctx, qenv)
        ld = latency([cli, "build", "--no-cache", "-t", "quai-bench-latency:1"], ctx, denv)
        docker.dk("rmi", "quai-bench-latency:1", check=False)
    finally:
        docker.dk("network", "rm", network, check=False)
        shutil.rmtree(work, ignore_errors=True)

    mq, md = statistics.median(tq), statistics.median(td)
    print()
    print(f"build+test+push of x3-base and x3-webdav, {a.n} repetitions (median):")
    print(f"  quai        {mq:.2f}s   (all: {' '.join(f'{t:.2f}' for t in tq)})")
    print(f"  docker CLI  {md:.2f}s   (all: {' '.join(f'{t:.2f}' for t in td)})")
    print(f"  quai / docker CLI wall time: {mq / md:.3f} ({(mq / md - 1) * 100:+.1f} %; target under +5 %)")
    print("quai-engine peak RSS (GNU time, KiB; target under 12 MB): "
          + ", ".join(f"{k} {v}" for k, v in rss.items()))
    print(f"build output latency, engine to stdout pipe (ms; target under 100): quai median "
          f"{statistics.median(lq) * 1000:.1f} max {max(lq) * 1000:.1f}; docker CLI median "
          f"{statistics.median(ld) * 1000:.1f} max {max(ld) * 1000:.1f}")


if __name__ == "__main__":
    main()
