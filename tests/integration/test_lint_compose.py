"""quai lint on compose files and quai.yml: kinds by name and content,
directory walks, QC rules through the same formats, thresholds, ignores,
overrides and pragmas as Dockerfiles."""
import json

from lintenv import clean_env

COMPOSE = """services:
  web:
    image: nginx
    privileged: true
    restart: always
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
"""


def lint(quai, tmp_path, *args, cwd=None, env=None):
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return quai("lint", *args, cwd=cwd or tmp_path, env=clean_env(home, env))


def codes(out):
    return [(line.split()[0], line.split()[2]) for line in out.splitlines() if line.strip()]


def test_directory_walk_finds_every_kind(quai, tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text("FROM debian:12\nUSER 65534\n")
    (tmp_path / "app" / "compose.yaml").write_text(COMPOSE)
    (tmp_path / "ops").mkdir()
    (tmp_path / "ops" / "docker-compose.prod.yml").write_text(
        "services:\n  db:\n    image: postgres:16\n    restart: always\n    network_mode: host\n")
    (tmp_path / "ops" / "notes.yml").write_text("services: not linted in a walk\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "quai.yml").write_text("registry: [\n")
    r = lint(quai, tmp_path, ".")
    assert r.returncode == 1, r.stderr
    found = codes(r.stdout)
    assert ("app/compose.yaml:3:12", "QC3001") in found
    assert ("app/compose.yaml:4:5", "QC3002") in found
    assert ("app/compose.yaml:7:9", "QC3003") in found
    assert ("ops/docker-compose.prod.yml:5:19", "QC3005") in found
    assert any(f.startswith("sub/quai.yml:") and c == "QC1000" for f, c in found)
    assert not any(f.startswith("ops/notes.yml") for f, _ in found)
    assert not any(f.startswith("app/Dockerfile") for f, _ in found)


def test_a_directory_with_only_a_compose_file_is_not_an_error(quai, tmp_path):
    (tmp_path / "compose.yml").write_text("services:\n  a:\n    image: x:1\n    restart: always\n")
    r = lint(quai, tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == ""


def test_named_yml_files_by_content(quai, tmp_path):
    (tmp_path / "stack.yml").write_text("services:\n  a:\n    image: x\n    restart: always\n")
    (tmp_path / "other.yml").write_text("jobs: {}\n")
    r = lint(quai, tmp_path, "stack.yml")
    assert r.returncode == 1
    assert codes(r.stdout) == [("stack.yml:3:12", "QC3001")]
    r = lint(quai, tmp_path, "other.yml")
    assert r.returncode == 2
    assert "'other.yml' is not a file quai lints" in r.stderr


def test_formats_thresholds_ignores_overrides(quai, tmp_path):
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    r = lint(quai, tmp_path, "-f", "json", "compose.yaml")
    assert r.returncode == 1
    items = json.loads(r.stdout)
    assert {i["code"] for i in items} == {"QC3001", "QC3002", "QC3003"}
    assert all(i["file"] == "compose.yaml" and i["level"] == "warning" for i in items)
    # warnings only: a threshold of error passes
    assert lint(quai, tmp_path, "-t", "error", "compose.yaml").returncode == 0
    r = lint(quai, tmp_path, "--ignore", "QC3001", "--error", "QC3002", "-f", "gnu", "compose.yaml")
    assert "QC3001" not in r.stdout
    assert "compose.yaml:4:5: error: QC3002" in r.stdout
    r = lint(quai, tmp_path, "compose.yaml", env={"HADOLINT_IGNORE": "QC3001,QC3002,QC3003"})
    assert r.returncode == 0 and r.stdout == ""
    (tmp_path / ".hadolint.yaml").write_text("ignored: [QC3003]\noverride:\n  info: [QC3002]\n")
    r = lint(quai, tmp_path, "compose.yaml")
    found = dict((c, line) for line, c in [(x.split()[1], x.split()[2]) for x in r.stdout.splitlines()])
    assert "QC3003" not in found and found["QC3002"] == "info"


def test_pragmas(quai, tmp_path):
    (tmp_path / "compose.yaml").write_text("""# quai global ignore=QC3001
services:
  web:
    image: nginx
    restart: always
    # hadolint ignore=QC3002
    privileged: true
    network_mode: host  # quai ignore=QC3005
  # quai ignore=QC3006,QC3002
  worker:
    image: busybox
    privileged: true
""")
    r = lint(quai, tmp_path, "compose.yaml")
    assert r.returncode == 0, r.stdout
    r = lint(quai, tmp_path, "--disable-ignore-pragma", "compose.yaml")
    got = {c for _, c in codes(r.stdout)}
    assert got == {"QC3001", "QC3002", "QC3005", "QC3006"}


def test_interpolated_secrets_are_fine_literal_ones_are_errors(quai, tmp_path):
    (tmp_path / "compose.yaml").write_text("""services:
  db:
    image: postgres:16
    restart: always
    environment:
      POSTGRES_PASSWORD: ${PG_PASSWORD:?set it}
      API_TOKEN: abc123
""")
    r = lint(quai, tmp_path, "compose.yaml", env={"PG_PASSWORD": "x"})
    assert codes(r.stdout) == [("compose.yaml:7:18", "QC3004")]
    assert "error" in r.stdout


def test_rules_list_has_the_qc_rules(quai, tmp_path):
    r = lint(quai, tmp_path, "--rules")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    listed = [line.split()[0] for line in lines]
    assert listed == sorted(listed)
    for code in ["QC1000"] + [f"QC30{n:02d}" for n in range(1, 11)]:
        assert code in listed


def test_awesome_compose_corpus(quai, tmp_path, corpus):
    d = corpus / "compose" / "awesome-compose"
    r = lint(quai, tmp_path, "-V", "-f", "json", ".", cwd=d)
    assert r.returncode in (0, 1), r.stderr
    linted = [line for line in r.stderr.splitlines() if "compose.y" in line]
    assert len(linted) == 39
    items = json.loads(r.stdout)
    at = {(i["file"], i["line"], i["column"], i["code"]) for i in items}
    assert ("portainer/compose.yaml", 9, 9, "QC3003") in at
    assert ("gitea-postgres/compose.yaml", 19, 9, "QC3004") in at
    # the secrets read from files or interpolated are not findings
    assert not any(f.startswith("postgresql-pgadmin/") and c == "QC3004" for f, _, _, c in at)
    assert not any(f.startswith("nginx-flask-mysql/") and c == "QC3004" for f, _, _, c in at)


def test_overrides_and_overlays_are_read_with_their_base(quai, tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx:1.25\n    restart: always\n")
    # alone, neither would load: no image
    (tmp_path / "compose.override.yaml").write_text("services:\n  web:\n    privileged: true\n")
    (tmp_path / "docker-compose.yml").write_text("services:\n  db:\n    image: postgres:16\n    restart: always\n")
    (tmp_path / "docker-compose.prod.yml").write_text("services:\n  db:\n    network_mode: host\n")
    r = lint(quai, tmp_path, ".")
    assert "QC1000" not in r.stdout, r.stdout
    assert codes(r.stdout) == [("compose.override.yaml:3:5", "QC3002"), ("docker-compose.prod.yml:3:19", "QC3005")]
    r = lint(quai, tmp_path, "compose.override.yaml")
    assert codes(r.stdout) == [("compose.override.yaml:3:5", "QC3002")]


def test_quai_yml_checked_as_quai_plan_reads_it(quai, tmp_path):
    (tmp_path / "quai.yml").write_text("registry: 127.0.0.1:5000\nimages:\n  base:\n    nmae: x\n")
    r = lint(quai, tmp_path, "quai.yml")
    assert r.returncode == 1, r.stderr
    assert "quai.yml:4:5" in r.stdout and "QC1000" in r.stdout and "did you mean 'name'" in r.stdout
    (tmp_path / "quai.yml").write_text("registry: 127.0.0.1:5000\nimages:\n  base:\n    name: x3-base\n")
    r = lint(quai, tmp_path, "quai.yml")
    assert r.returncode == 0, r.stdout + r.stderr
