"""Broken books: every kind of fault is found at its line, by the CLI and by the build alike."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from broken_book import BROKEN, expected
from conftest import MINI_BOOK, build, check, write_book

LOG_RE = re.compile(r"WARNING\s+-\s+chronicle: (\S+?):(\d+):(\d+): error ([a-z-]+) ")


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    return write_book(tmp_path_factory.mktemp("broken") / "book", BROKEN)


def test_checker_finds_every_defect_at_its_line_and_nothing_else(broken):
    proc = check(broken, "--format", "json")
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    errors = {(p["file"], p["line"], p["code"]) for p in data["problems"] if p["severity"] == "error"}
    assert errors == expected(broken)
    assert data["summary"]["errors"] == len(errors)
    for p in data["problems"]:
        assert set(p) >= {"file", "line", "column", "severity", "code", "message", "target"}
        assert p["column"] >= 1 and p["message"]


def test_text_and_github_formats_report_the_same_set(broken):
    want = expected(broken)
    text = check(broken)
    assert text.returncode == 1
    got = set()
    for line in text.stdout.splitlines():
        m = re.match(r"^(\S+?):(\d+):(\d+): error ([a-z-]+) ", line)
        if m:
            got.add((m.group(1), int(m.group(2)), m.group(4)))
    assert got == want
    assert re.search(r"\d+ files checked( \(\d+ unchanged since the last check\))?: \d+ error\(s\), "
                     r"\d+ warning\(s\)$", text.stdout.strip())
    gh = check(broken, "--format", "github")
    assert gh.returncode == 1
    got = {
        (m.group(1), int(m.group(2)), m.group(4))
        for m in re.finditer(r"^::error file=([^,]+),line=(\d+),col=(\d+),title=chronicle ([a-z-]+)::", gh.stdout, re.M)
    }
    assert got == want


def test_build_reports_the_same_set_once_and_strict_fails(broken):
    result = build(broken, strict=True)
    assert result.returncode != 0
    assert "Traceback" not in result.output
    reported = [(m.group(1), int(m.group(2)), m.group(4)) for m in LOG_RE.finditer(result.output)]
    assert set(reported) == expected(broken)
    assert len(reported) == len(set(reported)), "each problem is reported once, not once per language"


def test_messages_carry_a_hint(broken):
    data = json.loads(check(broken, "--format", "json").stdout)
    by_code = {p["code"]: p for p in data["problems"]}
    case = next(p for p in data["problems"] if p["target"] == "../01-Intro/intro.md")
    assert case["hint"] == "did you mean '../01-intro/intro.md'?"
    assert "fix the YAML" in by_code["frontmatter-yaml"]["hint"]
    dups = {p["file"]: p["message"] for p in data["problems"] if p["code"] == "duplicate-id"}
    assert dups == {
        "knowledge/events/dup.md": "id 'evt-b' is also claimed by knowledge/events/evt-b.md",
        "knowledge/events/evt-b.md": "id 'evt-b' is also claimed by knowledge/events/dup.md",
    }
    unknown = next(p for p in data["problems"] if p["target"] == "[[no-such-id]]")
    assert unknown["message"] == "'[[no-such-id]]' names no card or page"


SINGLE_FAULTS = {
    "unknown-id": ("manuscript/01-intro/intro.md", "\n[[evt-z]]\n"),
    "unknown-citation": ("manuscript/01-intro/intro.md", "\n[@nobody1999]\n"),
    "missing-anchor": ("manuscript/01-intro/intro.en.md", "\n[x](../../knowledge/events/evt-a.md#nope)\n"),
    "embed-cycle": ("knowledge/events/evt-a.md", "\n![[evt-a]]\n"),
}


@pytest.mark.parametrize("code", sorted(SINGLE_FAULTS))
def test_each_fault_alone_fails_strict_build_with_file_and_line(tmp_path, code):
    path, extra = SINGLE_FAULTS[code]
    root = write_book(tmp_path / "b", MINI_BOOK)
    with (root / path).open("a", encoding="utf-8") as fh:
        fh.write(extra)
    line = len((root / path).read_text(encoding="utf-8").rstrip("\n").splitlines())
    result = build(root, strict=True)
    assert result.returncode == 1, result.output
    assert re.search(rf"{re.escape(path)}:{line}:\d+: error {code} ", result.output), result.output
    assert "Traceback" not in result.output
    assert build(root, strict=False).returncode == 0  # reported, not fatal, without --strict


@pytest.mark.parametrize("field,value,code", [
    ("date", "2019-02-30", "frontmatter-field"),
    ("technical_concepts", "[nope]", "unknown-reference"),
    ("event_type", "rumour", "frontmatter-field"),
    ("causal_connections", "[{enables: [evt-a]}]", "causal-cycle"),
])
def test_front_matter_faults_fail_strict_build(tmp_path, field, value, code):
    files = dict(MINI_BOOK)
    card = files["knowledge/events/evt-b.md"]
    lines = card.split("\n")
    idx = next(i for i, ln in enumerate(lines) if ln.strip().startswith("title:"))
    indent = lines[idx][: len(lines[idx]) - len(lines[idx].lstrip())]
    lines.insert(idx + 1, f"{indent}{field}: {value}")
    if field in ("date", "causal_connections"):
        lines = [ln for i, ln in enumerate(lines) if not (ln.strip().startswith(field + ":") and i != idx + 1)]
        if field == "causal_connections":
            lines = [ln for ln in lines if ln.strip() != "enabled_by: evt-a"]
    files["knowledge/events/evt-b.md"] = "\n".join(lines)
    root = write_book(tmp_path / "b", files)
    result = build(root, strict=True)
    assert result.returncode == 1, result.output
    assert re.search(rf"knowledge/events/evt-(a|b)\.md:\d+:\d+: error {code} ", result.output), result.output
    assert "Traceback" not in result.output


def test_nothing_outside_the_project_is_read(tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\nevent_id: secret\ndate: 2019\ntitle: SECRET-TITLE\n---\n# SECRET\n", encoding="utf-8")
    root = write_book(tmp_path / "b", MINI_BOOK)
    (root / "knowledge/events/linked.md").symlink_to(secret)
    with (root / "manuscript/01-intro/intro.md").open("a", encoding="utf-8") as fh:
        fh.write("\n[[secret]] [s](../../knowledge/events/linked.md) [t](../../../secret.md)\n")
    proc = check(root, "--format", "json")
    data = json.loads(proc.stdout)
    codes = sorted(p["code"] for p in data["problems"] if p["severity"] == "error")
    # The symlink itself, and both links: one through it, one straight out.
    assert codes == ["outside-project", "outside-project", "outside-project", "unknown-id"]
    assert "SECRET-TITLE" not in proc.stdout


@pytest.mark.parametrize("yml,message", [
    (None, "no mkdocs.yml"),
    ("site_name: [x\n", "invalid YAML"),
    ("site_name: x\nplugins:\n  - chronicle:\n      untranslated: loud\n", "plugins.chronicle.untranslated"),
    ("site_name: x\nplugins:\n  - chronicle:\n      knowledge_dir: ../elsewhere\n",
     "must be a path inside the project"),
    ("site_name: x\nplugins:\n  - chronicle:\n      knowledge_dir: 5\n", "plugins.chronicle.knowledge_dir"),
])
@pytest.mark.parametrize("jobs", ["1", "2"])  # 2: the options are validated in a process of their own
def test_configuration_errors_exit_2_without_traceback(tmp_path, yml, message, jobs):
    if yml is not None:
        (tmp_path / "mkdocs.yml").write_text(yml, encoding="utf-8")
    proc = check(tmp_path, "--jobs", jobs)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("command", [
    ["check"], ["status"], ["schema"], ["mv", "a.md", "b.md", "--root"], ["split", "a.md", "--root"],
])
def test_every_command_answers_a_broken_mkdocs_yml_in_one_line(tmp_path, command):
    (tmp_path / "mkdocs.yml").write_text("site_name: [x\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "chronicle.cli", *command, str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    # Where (PyYAML's own text spans eight lines and calls the file "<unicode string>"), and how to fix it.
    assert proc.stderr.startswith("chronicle: mkdocs.yml:2:1: invalid YAML: "), proc.stderr
    assert "flow sequence that starts at line 1 (close the bracket" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_options_once_valid_are_validated_again_when_they_change(tmp_path):
    """The check remembers that a block of options was valid (so later runs skip importing
    MkDocs' config classes): an edited block is validated again."""
    yml = "site_name: x\ndocs_dir: manuscript\nplugins:\n  - chronicle:\n      untranslated: warn\n"
    (tmp_path / "manuscript").mkdir()
    (tmp_path / "manuscript" / "index.md").write_text("# Home\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(yml, encoding="utf-8")
    assert check(tmp_path, "--jobs", "2").returncode == 0  # validated in a child, remembered here
    remembered = subprocess.run([sys.executable, "-X", "importtime", "-m", "chronicle.cli", "check", str(tmp_path)],
                                capture_output=True, text=True, timeout=120)
    assert remembered.returncode == 0 and "mkdocs.config.config_options" not in remembered.stderr
    (tmp_path / "mkdocs.yml").write_text(yml.replace("warn", "loud"), encoding="utf-8")
    proc = check(tmp_path)
    assert proc.returncode == 2 and "plugins.chronicle.untranslated" in proc.stderr


def test_usage_error_exits_2(tmp_path):
    assert check(tmp_path, "--format", "xml").returncode == 2


def test_external_links_are_fetched_only_when_asked(tmp_path):
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:
            self.send_response(200 if self.path == "/ok" else 404)
            self.end_headers()

        do_GET = do_HEAD

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        root = write_book(tmp_path / "b", MINI_BOOK)
        with (root / "manuscript/01-intro/intro.md").open("a", encoding="utf-8") as fh:
            fh.write(f"\n[ok]({base}/ok) [gone]({base}/gone)\n")
        assert check(root).returncode == 0  # offline by default
        proc = check(root, "--external", "--format", "json")
        data = json.loads(proc.stdout)
        bad = [(p["code"], p["target"]) for p in data["problems"] if p["severity"] == "error"]
        assert bad == [("external-link", f"{base}/gone")]
        assert proc.returncode == 1
    finally:
        server.shutdown()
        server.server_close()


def test_every_problem_carries_a_hint(broken):
    data = json.loads(check(broken, "--format", "json").stdout)
    assert data["problems"]
    assert [p for p in data["problems"] if not p["hint"].strip()] == []


def test_a_near_miss_is_never_the_page_that_links(tmp_path):
    # `../../README.md` (the repository's README, not in the book) from a page called README.md:
    # the only file of that name is the page itself, which is no way out.
    files = dict(MINI_BOOK)
    files["manuscript/guide/README.md"] = "# 指南\n\n见 [项目说明](../../README.md)。\n"
    files["manuscript/guide/README.en.md"] = "# Guide\n\nSee [the project](../../README.md).\n"
    root = write_book(tmp_path / "b", files)
    report = json.loads(check(root, "--format", "json").stdout)
    found = [p for p in report["problems"] if p["file"].startswith("manuscript/guide/")]
    assert {(p["file"], p["code"]) for p in found} == {("manuscript/guide/README.md", "missing-file"),
                                                      ("manuscript/guide/README.en.md", "missing-file")}
    assert not any("did you mean" in p["hint"] for p in found), found
    # A file of the same name elsewhere is still suggested.
    files["manuscript/other/README.md"] = "# 别处\n"
    root = write_book(tmp_path / "c", files)
    report = json.loads(check(root, "--format", "json").stdout)
    hints = {p["hint"] for p in report["problems"] if p["file"] == "manuscript/guide/README.md"}
    assert hints == {"did you mean '../other/README.md'?"}
