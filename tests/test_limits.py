"""Bounded work: pages past what Python-Markdown can take, syntax the scanner reports, and
the scanner's time on hostile shapes of input (the figures: benchmarks/bench_pathological.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import pytest
from chronicle import limits, scanner
from chronicle.limits import MAX_DEPTH, MAX_PARAGRAPH_CHARS, MAX_PARAGRAPH_LINES
from conftest import MINI_BOOK, REPO, build, check, write_book

sys.path.insert(0, str(REPO / "benchmarks"))
import bench_pathological

LINKS = "[x](y.md)\n"


def nested_list(depth: int, indent: str = "    ") -> str:
    return "".join(indent * i + "- x\n" for i in range(depth))


@pytest.mark.parametrize("text,expected", [
    ("# t\n\n" + LINKS * MAX_PARAGRAPH_LINES, []),
    ("# t\n\n" + LINKS * (MAX_PARAGRAPH_LINES + 1), [(3, "split the paragraph")]),
    ("x\n\n" + LINKS * 500 + "\n" + LINKS * 600, []),  # a blank line ends a paragraph
    ("a" * MAX_PARAGRAPH_CHARS, []),
    ("intro\n\n" + "a" * (MAX_PARAGRAPH_CHARS + 10), [(3, "split the paragraph")]),
    ("> quoted line\n" * (MAX_PARAGRAPH_LINES + 1), [(1, "split the paragraph")]),  # one paragraph in a quote
    ("- item\n" * 5000, []),  # each item is its own paragraph
    ("| a | b |\n" * 5000, []),  # each row is rendered on its own
    ("```\n" + LINKS * 5000 + "```\n", []),  # code is not Markdown
    ("x\n\n" + nested_list(MAX_DEPTH), []),
    ("x\n\n" + nested_list(MAX_DEPTH + 1), [(3, f"at most {MAX_DEPTH} deep")]),
    ("x\n\n" + nested_list(MAX_DEPTH + 1, "\t"), [(3, f"at most {MAX_DEPTH} deep")]),
    ("".join(">" * i + " x\n" for i in range(1, MAX_DEPTH + 2)), [(1, f"at most {MAX_DEPTH} deep")]),
    ("a\n\n" + "> - " * (MAX_DEPTH // 2 + 1) + "x\n", [(3, f"at most {MAX_DEPTH} deep")]),
    ("a\n\n" + "> " * MAX_DEPTH + "x\n", []),  # the blank after a '>' is no indentation
    ("a\n\n" + "> " * (MAX_DEPTH + 1) + "x\n", [(3, f"at most {MAX_DEPTH} deep")]),
    ("- top\n" + nested_list(MAX_DEPTH + 5)[4:] + "\n- next\n" + nested_list(MAX_DEPTH + 5)[4:],
     [(1, "deep"), (MAX_DEPTH + 7, "deep")]),  # one problem per nesting, where it starts
    ("-" * 200 + "\n\n" + " " * 200 + "\n", []),  # a rule and blanks nest nothing
])
def test_page_limits(text, expected):
    found = limits.page_limits(scanner.blank_code(text), 0)
    assert [lim.line for lim in found] == [line for line, _ in expected]
    for lim, (_line, hint) in zip(found, expected, strict=True):
        assert hint in lim.hint and lim.message
        assert text.count("\n", 0, lim.offset) + 1 == lim.line


def test_page_limits_count_after_the_front_matter():
    fm = "---\ntitle: x\n---\n"
    text = fm + "\n" + LINKS * (MAX_PARAGRAPH_LINES + 1)
    (found,) = limits.page_limits(scanner.blank_code(text, len(fm)), len(fm))
    assert found.line == 5


SYNTAX_PAGE = """\
# Syntax

Empty [[]] here.

![[]]

Unclosed [[evt-a here.

Inline ![[evt-a]] embed.

Inline ![[nope]] too.

[abs](/etc/passwd) and [b](/abs/path.md).

`[[x` and `![[]]` and `[y](/etc/passwd)`

```text
[[ ![[]] [z](/abs)
```
"""

LIMITS_EXPECTED = [
    ("manuscript/01-intro/deep.md", 3, 1, "error", "page-too-complex"),
    ("manuscript/01-intro/long.md", 3, 1, "error", "page-too-complex"),
]
SYNTAX_EXPECTED = [
    ("manuscript/01-intro/syntax.md", 3, 7, "error", "wiki-syntax"),
    ("manuscript/01-intro/syntax.md", 5, 1, "error", "wiki-syntax"),
    ("manuscript/01-intro/syntax.md", 7, 10, "error", "wiki-syntax"),
    ("manuscript/01-intro/syntax.md", 9, 8, "warning", "embed-inline"),
    ("manuscript/01-intro/syntax.md", 11, 8, "error", "unknown-id"),
    ("manuscript/01-intro/syntax.md", 11, 8, "warning", "embed-inline"),
    ("manuscript/01-intro/syntax.md", 13, 1, "error", "absolute-link"),
    ("manuscript/01-intro/syntax.md", 13, 24, "error", "absolute-link"),
]

LONG_PAGE = "# Long\n\n" + LINKS.replace("y.md", "../index.md") * 1500
DEEP_PAGE = "# Deep\n\n" + nested_list(40)


@pytest.fixture(scope="module")
def hostile_book(tmp_path_factory):
    files = dict(MINI_BOOK)
    files["manuscript/01-intro/syntax.md"] = SYNTAX_PAGE
    files["manuscript/01-intro/long.md"] = LONG_PAGE
    files["manuscript/01-intro/deep.md"] = DEEP_PAGE
    return write_book(tmp_path_factory.mktemp("hostile") / "book", files)


def _mine(problems):
    return sorted((p["file"], p["line"], p["column"], p["severity"], p["code"]) for p in problems
                  if p["file"].startswith("manuscript/01-intro/") and p["code"] != "missing-translation"
                  and p["file"].split("/")[-1] in ("syntax.md", "long.md", "deep.md"))


def test_check_reports_syntax_and_limits_at_their_place(hostile_book):
    proc = check(hostile_book, "--format", "json")
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert _mine(data["problems"]) == sorted(SYNTAX_EXPECTED + LIMITS_EXPECTED)
    for p in data["problems"]:
        if p["code"] in ("wiki-syntax", "embed-inline", "absolute-link", "page-too-complex"):
            assert p["hint"], p
        if p["code"] == "absolute-link":
            assert p["hint"] == "write the path relative to this file"
        if p["code"] == "embed-inline":
            assert "renders as a link" in p["message"]
    # Nothing else of the book is an error.
    assert not [p for p in data["problems"] if p["severity"] == "error" and not _mine([p])]


LOG_RE = re.compile(r"WARNING\s+-\s+chronicle: (\S+?):(\d+):(\d+): (error|warning) ([a-z-]+) ")


def test_strict_build_reports_them_and_fails_in_bounded_time(hostile_book):
    start = time.monotonic()
    result = build(hostile_book, strict=True)
    elapsed = time.monotonic() - start
    assert result.returncode != 0
    assert "Traceback" not in result.output and "RecursionError" not in result.output
    fields = ("file", "line", "column", "severity", "code")
    logged = {(f, int(line), int(col), sev, code) for f, line, col, sev, code in LOG_RE.findall(result.output)}
    assert _mine([dict(zip(fields, row, strict=True)) for row in logged]) == sorted(SYNTAX_EXPECTED + LIMITS_EXPECTED)
    assert elapsed < 120, elapsed  # the mini book alone takes a few seconds; the pages add nothing


def test_build_shows_a_notice_for_complex_pages_and_inline_embeds_as_links(hostile_book):
    result = build(hostile_book, strict=False)
    assert result.returncode == 0, result.output
    long_html = result.page("01-intro/long/")
    assert "is not rendered" in long_html and long_html.count('href="../../"') == 0
    deep_html = result.page("01-intro/deep/")
    assert "is not rendered" in deep_html and "<li>" not in deep_html.split("md-content")[-1]
    syntax = result.page("01-intro/syntax/")
    inline = re.search(r"<p>Inline (.*?) embed\.</p>", syntax)
    assert inline, syntax
    assert re.fullmatch(r'<a href="[^"]*evt-a/?">[^<]+</a>', inline.group(1)), inline.group(1)
    assert "![[evt-a]]" not in syntax


@pytest.mark.parametrize("shape", sorted(bench_pathological.SHAPES))
def test_scanner_finishes_each_hostile_shape_at_1000x(shape):
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import bench_pathological as b; "
        "t = b.SHAPES[sys.argv[2]](1000); b.run_facts(t); b.run_guard(t)"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(REPO / "benchmarks"), shape],
                          capture_output=True, text=True, timeout=20)
    assert proc.returncode == 0, proc.stderr


def test_a_nesting_is_reported_once_with_its_deepest_level():
    text = "x\n\n" + nested_list(1000) + "\n" + LINKS * (MAX_PARAGRAPH_LINES + 1)
    deep, long = limits.page_limits(scanner.blank_code(text), 0)
    assert (deep.line, long.line) == (3, 1004)
    assert "nested 1000 deep" in deep.message
