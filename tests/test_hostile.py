"""The hostile corpus (tests/hostile.py) through both front ends, as CI runs them.

For every case, in a git repository made of the mini book plus the case's bad input, with
sentinel files next to it and a previous site in site/:
- `chronicle check --format json` and `mkdocs build --strict` finish under a time limit
  (and a memory limit), print no traceback, exit as the case says, and report its problems
  at file:line with a hint, the build with the checker's very text;
- nothing outside the book is read: the sentinel's token is in nothing they print, cache,
  stage or publish;
- nothing is written outside the site, cache and staging folders (a configuration error
  writes nothing at all; a failed build leaves the last good site as it was), and the
  book's `git status` is unchanged;
- the payload of a case with script in its data is published as text: no event-handler
  attribute, script URL or payload <script> in any built HTML, XML, JSON or JS file.

One run of both tools per case, shared by the tests of that case; cases run two at a time.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import MINI_BOOK, _env
from hostile import BY_NAME, CASES, MKDOCS, MKDOCS_SEARCH, OUTSIDE_BIB, OUTSIDE_FILES, TOKEN, Case

TIME_LIMIT = 30  # seconds, for each run of each front end ("every case finishes in a few seconds")
MEMORY_LIMIT = 3 << 30  # bytes of address space: an alias bomb must not take the machine down
ALLOWED = ("site", ".site-src", ".chronicle-cache")  # where the tools may write (the defaults)
LAST_GOOD_SITE = {"index.html": "<p>the last good site</p>\n", "old/page/index.html": "<p>an old page</p>\n"}
WORKERS = max(1, min(2, len(os.sched_getaffinity(0))))

# Runs the command under an address-space limit (a trampoline: preexec_fn is unsafe with threads).
_LIMITED = ("import os, resource, sys; resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]),) * 2); "
            "os.execv(sys.argv[2], sys.argv[2:])")


@dataclass
class Run:
    returncode: int | None  # None: killed at the time limit
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@dataclass
class Outcome:
    case: Case
    base: Path
    book: Path
    written: dict[str, bytes]
    check: Run
    build: Run
    loose_build: Run | None = None  # without --strict, for the payload's site when the strict build fails
    before: dict[str, tuple] = field(default_factory=dict)  # everything but .git
    after: dict[str, tuple] = field(default_factory=dict)  # after check and strict build
    after_loose: dict[str, tuple] = field(default_factory=dict)
    git_before: str = ""
    git_after: str = ""


def run(cmd: list[str], cwd: Path) -> Run:
    start = time.monotonic()
    limited = [sys.executable, "-c", _LIMITED, str(MEMORY_LIMIT), sys.executable, *cmd]
    proc = subprocess.Popen(limited, cwd=cwd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=TIME_LIMIT)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # its own session: the checker's worker processes too
        out, err = proc.communicate()
        code = None
    return Run(code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), time.monotonic() - start)


def _sub(text: str, base: Path) -> str:
    return text.replace("{OUTSIDE_BIB}", str(base / "outside.bib")).replace("{OUTSIDE}", str(base / "outside"))


def make_book(case: Case, base: Path) -> tuple[Path, dict[str, bytes]]:
    for rel, text in OUTSIDE_FILES.items():
        path = base / "outside" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    (base / "outside.bib").write_text(textwrap.dedent(OUTSIDE_BIB).lstrip("\n"), encoding="utf-8")
    book = base / "book"
    files: dict[str, bytes] = {
        rel: textwrap.dedent(text).lstrip("\n").encode() for rel, text in MINI_BOOK.items()
        if not any(rel == r or (r.endswith("/") and rel.startswith(r)) for r in case.remove)
    }
    for rel, content in case.files.items():
        files[rel] = content if isinstance(content, bytes) else _sub(content, base).encode()
    yml = MKDOCS_SEARCH if case.payload else MKDOCS
    yml = case.yml(yml) if case.yml else yml
    files["mkdocs.yml"] = _sub(yml, base).encode()
    files[".gitignore"] = b"site/\n"
    for rel, data in files.items():
        path = book / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    for rel, target in case.links.items():
        link = book / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(_sub(target, base))
    git(book, "init", "-q")
    git(book, "add", "-A")
    git(book, "commit", "-q", "-m", "book")
    for rel, text in LAST_GOOD_SITE.items():
        path = book / "site" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return book, files


def git(book: Path, *args: str) -> str:
    cmd = ["git", "-c", "user.name=corpus", "-c", "user.email=corpus@example.com", "-c", "commit.gpgsign=false",
           "-c", "core.autocrlf=false", *args]
    return subprocess.run(cmd, cwd=book, capture_output=True, text=True, check=True, timeout=60).stdout


def snapshot(top: Path, skip: tuple[Path, ...]) -> dict[str, tuple]:
    """Every entry under TOP (symlinks not followed) but SKIP: kind, and size, mtime and digest
    of a file, target of a link (a folder's own mtime changes when the allowed folders appear)."""
    found: dict[str, tuple] = {}
    for folder, dirs, names in os.walk(top):
        here = Path(folder)
        dirs[:] = [d for d in dirs if here / d not in skip]
        for d in dirs:
            path = here / d
            found[str(path.relative_to(top))] = ("link", os.readlink(path)) if path.is_symlink() else ("dir",)
        for name in names:
            path = here / name
            st = path.lstat()
            if path.is_symlink():
                found[str(path.relative_to(top))] = ("link", os.readlink(path))
            else:
                found[str(path.relative_to(top))] = ("file", st.st_size, st.st_mtime_ns,
                                                     hashlib.sha256(path.read_bytes()).hexdigest())
    return found


def regular_files(top: Path, skip: tuple[Path, ...] = ()) -> list[Path]:
    out = []
    for folder, dirs, names in os.walk(top):
        here = Path(folder)
        dirs[:] = [d for d in dirs if here / d not in skip and not (here / d).is_symlink()]
        out += [here / n for n in names if not (here / n).is_symlink()]
    return out


def run_case(case: Case, base: Path) -> Outcome:
    book, written = make_book(case, base)
    before = snapshot(base, (book / ".git",))
    git_before = git(book, "status", "--porcelain", "--untracked-files=all")
    checked = run(["-m", "chronicle.cli", "check", str(book), "--format", "json"], book)
    built = run(["-m", "mkdocs", "build", "--strict", "-f", str(book / "mkdocs.yml")], book)
    outcome = Outcome(case, base, book, written, checked, built, before=before,
                      after=snapshot(base, (book / ".git",)), git_before=git_before,
                      git_after=git(book, "status", "--porcelain", "--untracked-files=all"))
    if case.payload and built.returncode != 0:
        outcome.loose_build = run(["-m", "mkdocs", "build", "-f", str(book / "mkdocs.yml")], book)
        outcome.after_loose = snapshot(base, (book / ".git",))
    if os.environ.get("HOSTILE_TIMES"):  # a file to append each case's times to, for the record
        with open(os.environ["HOSTILE_TIMES"], "a", encoding="utf-8") as fh:
            fh.write(f"{case.name} check {checked.seconds:.2f} {checked.returncode} "
                     f"build {built.seconds:.2f} {built.returncode}\n")
    return outcome


@pytest.fixture(scope="module")
def outcomes(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """One run per case selected in this session, WORKERS at a time, in the order the tests ask."""
    wanted: dict[str, None] = {}
    for item in request.session.items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if item.module is request.module and params.get("name") in BY_NAME:
            wanted[params["name"]] = None
    pool = ThreadPoolExecutor(max_workers=WORKERS)
    futures: dict[str, Future[Outcome]] = {
        name: pool.submit(run_case, BY_NAME[name], tmp_path_factory.mktemp(name)) for name in wanted
    }
    yield futures
    pool.shutdown(cancel_futures=True)


# Known faults, each open in an issue, as {case: ({tests}, reason)}: marked strict xfail, so a
# fix that makes one pass must take it off the list. None at the moment.
KNOWN: dict[str, tuple[set[str], str]] = {}


def _params(names: list[str], test: str) -> list:
    out = []
    for name in names:
        tests, reason = KNOWN.get(name, (set(), ""))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if test in tests else []
        out.append(pytest.param(name, marks=marks, id=name))
    return out


NAMES = [c.name for c in CASES]
PAYLOAD_NAMES = [c.name for c in CASES if c.payload]


def _lines(outcome: Outcome, file: str, line: int | str | tuple[int, ...]) -> tuple[int, ...]:
    if isinstance(line, int):
        return (line,)
    if isinstance(line, tuple):
        return line
    data = outcome.written[file].decode("utf-8", "replace")
    assert line in data, f"the case's needle {line!r} is not in {file}"
    return (data[: data.index(line)].count("\n") + 1,)


def _problems(outcome: Outcome) -> list[dict]:
    return json.loads(outcome.check.stdout)["problems"]


def _matches(outcome: Outcome) -> list[tuple[tuple, dict | None]]:
    """Each expected (file, line, code) with the problem of the checker that answers it."""
    problems = _problems(outcome)
    out = []
    for file, line, code in outcome.case.problems:
        lines = _lines(outcome, file, line)
        codes = (code,) if isinstance(code, str) else code
        hit = next((p for p in problems if p["file"] == file and p["line"] in lines and p["code"] in codes), None)
        out.append(((file, lines, codes), hit))
    return out


def _text(p: dict) -> str:
    hint = f" ({p['hint']})" if p["hint"] else ""
    return f"{p['file']}:{p['line']}:{p['column']}: {p['severity']} {p['code']} {p['message']}{hint}"


def _names_option(output: str, option: str) -> bool:
    # Every message of the CLI starts with "chronicle: ": that is not naming the option.
    text = re.sub(r"(?m)^chronicle: ", "", output)
    return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text) is not None


def _outcome(outcomes, name: str) -> Outcome:
    return outcomes[name].result()


@pytest.mark.parametrize("name", _params(NAMES, "check"))
def test_check_answers(outcomes, name):
    o = _outcome(outcomes, name)
    run_, case = o.check, o.case
    assert run_.returncode is not None, f"chronicle check did not finish in {TIME_LIMIT} s"
    assert "Traceback" not in run_.output, run_.output[-3000:]
    assert run_.returncode == case.status, f"exit {run_.returncode}, wanted {case.status}:\n{run_.output[-3000:]}"
    if case.status == 2:
        assert _names_option(run_.stderr, case.option), f"the message does not name {case.option}: {run_.stderr}"
        return
    problems = _problems(o)
    errors = [p for p in problems if p["severity"] == "error"]
    if case.status == 0:
        assert not errors, errors
        if not case.warning:
            return
    missing = [want for want, hit in _matches(o) if hit is None]
    assert not missing, f"not reported: {missing}; reported: {[(p['file'], p['line'], p['code']) for p in problems]}"
    for p in errors + [hit for _, hit in _matches(o)]:
        assert p["message"] and p["hint"], f"no hint: {_text(p)}"


@pytest.mark.parametrize("name", _params([c.name for c in CASES if c.status == 1], "only"))
def test_check_reports_one_message_and_nothing_else(outcomes, name):
    """One message per fault: no error the case does not expect (other than those that follow
    from it, listed in its `also`), none reported twice."""
    o = _outcome(outcomes, name)
    assert o.check.returncode is not None and o.check.stdout.startswith("{"), o.check.output[-3000:]
    wanted = [want for want, _ in _matches(o)]
    errors = [p for p in _problems(o) if p["severity"] == "error"]
    extra = [_text(p) for p in errors if p["code"] not in o.case.also
             and not any(p["file"] == f and p["line"] in lines and p["code"] in codes for f, lines, codes in wanted)]
    assert not extra, extra
    places = [(p["file"], p["line"], p["column"], p["code"], p["message"]) for p in errors]
    assert len(places) == len(set(places)), "a problem reported twice"


@pytest.mark.parametrize("name", _params(NAMES, "build"))
def test_build_answers(outcomes, name):
    o = _outcome(outcomes, name)
    run_, case = o.build, o.case
    assert run_.returncode is not None, f"mkdocs build did not finish in {TIME_LIMIT} s"
    assert "Traceback" not in run_.output, run_.output[-3000:]
    if case.status == 0 and not case.warning:
        assert run_.returncode == 0, run_.output[-3000:]
        return
    assert run_.returncode != 0, run_.output[-3000:]
    if case.status == 2:
        assert _names_option(run_.output, case.option), f"the log does not name {case.option}: {run_.output[-3000:]}"
        if not case.mkdocs_validates:  # chronicle's own verdict: the checker's very words
            message = o.check.stderr.strip().splitlines()[0].removeprefix("chronicle: ")
            assert message in run_.output, f"the build does not say {message!r}:\n{run_.output[-3000:]}"
        return
    for want, hit in _matches(o):
        assert hit is not None, f"the checker did not report {want}, so neither can the build be compared"
        assert _text(hit) in run_.output, f"the build does not log {_text(hit)!r}:\n{run_.output[-3000:]}"


@pytest.mark.parametrize("name", NAMES)
def test_nothing_read_outside(outcomes, name):
    o = _outcome(outcomes, name)
    secrets = (TOKEN, *o.case.forbidden)
    runs = [r for r in (o.check, o.build, o.loose_build) if r is not None]
    for r in runs:
        for secret in secrets:
            assert secret not in r.output, f"outside text {secret!r} in the output of a front end"
    leaked = []
    for path in regular_files(o.book, (o.book / ".git",)):
        data = path.read_bytes()
        leaked += [f"{path.relative_to(o.book)}: {s}" for s in secrets if s.encode() in data]
    assert not leaked, leaked


@pytest.mark.parametrize("name", NAMES)
def test_nothing_written_outside(outcomes, name):
    o = _outcome(outcomes, name)
    allowed = tuple(str(Path("book") / a) for a in ALLOWED)

    def outside(snap: dict[str, tuple]) -> dict[str, tuple]:
        return {k: v for k, v in snap.items() if not any(k == a or k.startswith(a + os.sep) for a in allowed)}

    assert o.git_after == o.git_before, f"git status of the book changed:\n{o.git_after}"
    assert _diff(outside(o.before), outside(o.after)) == {}
    if o.loose_build is not None:
        assert _diff(outside(o.before), outside(o.after_loose)) == {}
    if o.case.status == 2:
        assert _diff(o.before, o.after) == {}, "a configuration error writes nothing, not even the cache"
    elif o.build.returncode != 0:
        site = str(Path("book") / "site")

        def site_only(snap: dict[str, tuple]) -> dict[str, tuple]:
            return {k: v for k, v in snap.items() if k == site or k.startswith(site + os.sep)}

        assert _diff(site_only(o.before), site_only(o.after)) == {}, "a failed build replaced the last good site"


def _diff(a: dict[str, tuple], b: dict[str, tuple]) -> dict[str, tuple]:
    return {k: (a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}


class _Markup(HTMLParser):
    """What in an HTML text would run script: event-handler attributes, script URLs, a payload <script>."""

    URL_ATTRS = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcdoc"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[str] = []
        self.text: list[str] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.findings.append(f"<{tag} {name}={value!r}>")
            elif name in self.URL_ATTRS and value:
                url = re.sub(r"[\x00-\x20]", "", value).lower()
                if url.startswith(("javascript:", "vbscript:", "data:text")):
                    self.findings.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self._script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = False

    def handle_data(self, data: str) -> None:
        if self._script and "PWN" in data:
            self.findings.append(f"<script>{data[:80]}")
        elif "PWN" in data:
            self.text.append(data)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def markup_findings(site: Path) -> tuple[list[str], int]:
    """Script-running markup in every built HTML, XML, SVG, JSON and JS file of SITE, and how
    many times the payload was found as text in the HTML (it must have reached the site)."""
    findings: list[str] = []
    as_text = 0
    for path in regular_files(site):
        suffix = path.suffix.lower()
        if suffix not in (".html", ".htm", ".xml", ".svg", ".json", ".js"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if "PWN" not in text:
            continue
        rel = path.relative_to(site)
        if suffix == ".js":
            if re.search(r"<script[^>]*>\s*alert\(PWN\)|on(?:error|load)\s*=\s*alert\(PWN\)", text):
                findings.append(f"{rel}: payload markup in a script")
            continue
        chunks = _strings(json.loads(text)) if suffix == ".json" else [text]
        for chunk in chunks:
            parser = _Markup()
            parser.feed(chunk)
            parser.close()
            findings += [f"{rel}: {f}" for f in parser.findings]
            if suffix in (".html", ".htm"):
                as_text += sum("alert(PWN)" in t for t in parser.text)
    return findings, as_text


@pytest.mark.parametrize("name", PAYLOAD_NAMES)
def test_payload_escaped_in_every_built_file(outcomes, name):
    o = _outcome(outcomes, name)
    last = o.loose_build or o.build
    assert last.returncode == 0, f"no site to look at: {last.output[-3000:]}"
    site = o.book / "site"
    assert (site / "search" / "search_index.json").is_file()
    assert (site / "index.html").read_text(encoding="utf-8") != LAST_GOOD_SITE["index.html"]
    findings, as_text = markup_findings(site)
    assert not findings, findings[:20]
    if o.case.reach:  # a refused URL or id may be left out; every other payload is published as text
        assert as_text, "the payload is not on the site as text: was the case's data published?"


def test_the_corpus_is_big_enough():
    assert len(CASES) >= 45
    assert sum(c.status == 2 for c in CASES) >= 15 and sum(c.payload for c in CASES) >= 6


def test_the_escape_check_sees_unescaped_markup(tmp_path):
    """The checker of built files is itself tested: raw payloads in each kind of file are found."""
    site = tmp_path / "site"
    (site / "search").mkdir(parents=True)
    (site / "a.html").write_text(f"<p>{'&lt;svg onload=alert(PWN)&gt;'}</p>", encoding="utf-8")
    assert markup_findings(site) == ([], 1)
    (site / "b.html").write_text('<p title=""><svg onload=alert(PWN)></p><a href=" jav&#x09;ascript:alert(PWN)">x</a>',
                                 encoding="utf-8")
    (site / "search" / "search_index.json").write_text(
        json.dumps({"docs": [{"text": "<script>alert(PWN)</script>"}]}), encoding="utf-8")
    (site / "c.js").write_text('x = "<img src=x onerror=alert(PWN)>"', encoding="utf-8")
    findings, _ = markup_findings(site)
    assert len([f for f in findings if f.startswith("b.html")]) == 2
    assert any(f.startswith("search/search_index.json: <script>") for f in findings)
    assert any(f.startswith("c.js") for f in findings)
