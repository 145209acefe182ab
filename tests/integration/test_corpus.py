"""quai lint over the real-world corpus and over bad input: no crash, no
sanitizer report, no syntax finding on files docker builds, and one clear
message with the right exit status for each kind of bad file."""
import json
import subprocess

import pytest

SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", "Sanitizer:DEADLYSIGNAL")
BATCHES = 4


def run(quai_bin, *args, timeout=300):
    """Runs quai and returns (status, stdout, stderr); output as bytes-safe text."""
    p = subprocess.run([quai_bin, *map(str, args)], capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def assert_no_crash(status, stderr):
    assert status >= 0, f"killed by signal {-status}: {stderr[-2000:]}"
    for mark in SANITIZER_MARKS:
        assert mark not in stderr, f"sanitizer report:\n{stderr[-4000:]}"


def lint_json(quai_bin, *paths, timeout=300):
    """quai lint --format json PATHS: (status, findings, stderr). The JSON must be valid UTF-8."""
    status, out, err = run(quai_bin, "lint", "--format", "json", *paths, timeout=timeout)
    assert_no_crash(status, err)
    text = out.decode("utf-8")  # strict: invalid bytes of the input must not leak into JSON
    findings = json.loads(text) if text.strip() else []
    assert isinstance(findings, list), text[:500]
    return status, findings, err


def corpus_files(corpus):
    files = sorted(p for p in (corpus / "dockerfiles").rglob("*") if p.is_file() and p.name != "MANIFEST.tsv")
    if not files:
        pytest.skip("corpus has no Dockerfiles")
    return files


def test_corpus_lints_without_crash_or_syntax_finding(quai_bin, corpus):
    files = corpus_files(corpus)
    size = -(-len(files) // BATCHES)
    syntax, seen = [], set()
    for k in range(0, len(files), size):
        batch = files[k:k + size]
        status, findings, err = lint_json(quai_bin, *batch)
        assert status in (0, 1), f"exit {status} on batch starting {batch[0]}: {err[-2000:]}"
        names = {str(p) for p in batch}
        for f in findings:
            assert {"file", "line", "column", "level", "code", "message"} <= f.keys(), f
            assert f["file"] in names, f
            assert isinstance(f["line"], int) and f["line"] >= 1, f
            seen.add(f["file"])
            if f["code"] == "DL1000":
                syntax.append(f"{f['file']}:{f['line']}:{f['column']}: {f['message']}")
    assert not syntax, f"{len(syntax)} syntax findings on files docker builds:\n" + "\n".join(syntax[:20])


def dl1000(findings):
    return [f for f in findings if f["code"] == "DL1000"]


def test_empty_file(quai_bin, tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_bytes(b"")
    status, findings, err = lint_json(quai_bin, p)
    assert status in (0, 1), err
    # docker refuses an empty Dockerfile; if quai says so, it says it once
    assert len(findings) <= 1, findings
    if status == 1:
        assert len(dl1000(findings)) == 1 and findings[0]["message"], findings


def test_binary_file(quai_bin, tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_bytes(bytes(range(256)) * 64 + b"\x7fELF\x02\x01\x01\x00" * 100)
    status, findings, err = lint_json(quai_bin, p)
    assert status == 1, err
    # one finding that the file is not text, not one per line of garbage
    assert len(findings) == 1, findings[:5]
    assert findings[0]["code"] == "DL1000" and findings[0]["level"] == "error", findings
    assert findings[0]["message"], findings


def test_ten_megabyte_single_line_of_garbage(quai_bin, tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_bytes(b"x" * (10 << 20))
    status, findings, err = lint_json(quai_bin, p)
    assert status == 1, err
    assert len(dl1000(findings)) == 1, findings[:5]
    # the message names the problem; it does not repeat the 10 MB line
    assert sum(len(f["message"]) for f in findings) < 4096


def test_ten_megabyte_run_line(quai_bin, tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_bytes(b"FROM alpine:3.19\nRUN echo " + b"a" * (10 << 20) + b"\n")
    status, out, err = run(quai_bin, "lint", p)
    assert_no_crash(status, err)
    assert status in (0, 1), err
    assert len(out) + len(err) < (1 << 20), "output repeats the 10 MB line"
    status, findings, err = lint_json(quai_bin, p)
    assert not dl1000(findings), findings


def test_invalid_utf8(quai_bin, tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_bytes(b'FROM alpine:3.19\nLABEL x="\xff\xfe\xc3\x28"\nRUN echo \xe2\x82 \xed\xa0\x80\nCMD ["/bin/\xc0\xaf"]\n')
    status, findings, err = lint_json(quai_bin, p)
    assert status in (0, 1), err
    # at most one message about the encoding, never a crash or broken JSON
    assert len(dl1000(findings)) <= 1, findings
    status, out, err = run(quai_bin, "lint", "--format", "gnu", p)
    assert_no_crash(status, err)


def test_unterminated_heredoc(quai_bin, tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_bytes(b"FROM alpine:3.19\nRUN <<EOF\necho one\necho two\n")
    status, findings, err = lint_json(quai_bin, p)
    assert status == 1, err
    syntax = dl1000(findings)
    assert len(syntax) == 1, findings
    assert syntax[0]["line"] == 2, syntax
    assert "heredoc" in syntax[0]["message"].lower() or "EOF" in syntax[0]["message"], syntax
