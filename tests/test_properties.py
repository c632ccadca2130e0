"""Property tests (Hypothesis) of the scanner and of the link resolver, on generated input.

The scanner, on Markdown made of code spans with backtick runs, fences, indented code,
links, wiki links, embeds, citations, HTML, headings, nested lists, block quotes and every
Unicode line break: never raises, stays in range, gives positions that agree with the
text, agrees with itself (facts() and scan()), and reports nothing that Python-Markdown puts
inside <code>. The resolver, on generated relative URLs (`..`, absolute paths,
percent-encoding, backslashes, NUL, `//`, `\\\\?\\`): never leads outside the project and
agrees with posixpath.normpath for a path inside it.

A few hundred examples each here; the same properties on 100,000 and more behind
`pytest -m long`.
"""

from __future__ import annotations

import html
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import markdown
import pytest
from chronicle import loading, resolve, scanner
from chronicle.settings import load_settings
from conftest import MINI_BOOK, write_book
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

NORMAL = settings(max_examples=300, deadline=None, database=None, derandomize=False,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
LONG = settings(NORMAL, max_examples=100_000)

# -- generated Markdown ---------------------------------------------------------------------

# Every reference carries a marker wk<N>z, unique in its document, to follow it through
# Python-Markdown's rendering.
MARK = "\x00M\x00"  # numbered after drawing
BREAKS = ["\n", "\n", "\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\r\n", "\r"]
WORDS = ["a", "text", "中文", " ", " ", "\\", "\\`", "*", "_", "<", ">", "&", "#", "!", "[", "]", "(", ")",
         "{#x}", "|", "@", ":", "~", "-", "1.", "    ", "\t", "\"", "'"]

REFERENCES = st.sampled_from([
    f"[[{MARK}]]", f"[[{MARK}|own text]]", f"[[{MARK}#part]]", f"![[{MARK}]]", f"[t]({MARK}.md)",
    f"![i]({MARK}.png)", f"[t](<{MARK} x.md>)", f"[t]({MARK}.md \"title\")", f"[@{MARK}]",
    f"[@a; @{MARK}]", f"<a href=\"{MARK}.md\">x</a>", f"<img src='{MARK}.png'>", f"[r][{MARK}]",
])
PLAIN = st.one_of(st.sampled_from(WORDS), st.sampled_from(BREAKS), st.text(max_size=3))


@st.composite
def inline(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.integers(0, 9))
        if kind <= 2:
            parts.append(draw(PLAIN))
        elif kind <= 5:
            parts.append(draw(REFERENCES))
        elif kind == 6 and depth == 0:  # a code span: a run of backticks, the same run to close
            run = "`" * draw(st.integers(1, 4))
            inner = draw(inline(depth=1)).replace("`", "")
            pad = draw(st.sampled_from(["", " "]))
            parts.append(f"{run}{pad}{inner or 'x'}{pad}{run}")
        elif kind == 7:
            parts.append("`" * draw(st.integers(1, 5)))  # an unclosed run
        elif kind == 8:
            parts.append(f"<!-- {draw(REFERENCES)} -->")
        else:
            parts.append(draw(st.sampled_from(["**", "*", "_", "~~", "\\[", "]]", "[[", "![", "](", "<b>", "</b>"])))
    return "".join(parts)


@st.composite
def block(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.integers(0, 10 if depth < 3 else 5))
    line = draw(inline())
    if kind <= 1:
        return line
    if kind == 2:
        return "#" * draw(st.integers(1, 7)) + " " + line
    if kind == 3:
        return line + "\n" + draw(st.sampled_from(["===", "---", "- - -"]))
    if kind == 4:
        return "\n".join("    " + draw(inline()) for _ in range(draw(st.integers(1, 3))))
    if kind == 5:
        char = draw(st.sampled_from("`~"))
        fence = char * draw(st.integers(3, 5))
        indent = " " * draw(st.integers(0, 3))
        info = draw(st.sampled_from(["", "text", "python", "mermaid", " x"]))
        body = "\n".join(draw(inline()) for _ in range(draw(st.integers(0, 3))))
        close = draw(st.sampled_from([fence, fence + char, char * 3, ""]))
        return f"{indent}{fence}{info}\n{body}\n{indent}{close}"
    if kind in (6, 7):  # a list, its items nested or not, each holding a block
        marker = draw(st.sampled_from(["- ", "* ", "1. ", "2) "]))
        step = draw(st.sampled_from(["  ", "    ", "\t"]))
        items = []
        for _ in range(draw(st.integers(1, 3))):
            level = draw(st.integers(0, 3))
            inner = draw(block(depth=depth + 1)).replace("\n", "\n" + step * (level + 1))
            items.append(step * level + marker + inner)
        return draw(st.sampled_from(["\n", "\n\n"])).join(items)
    if kind == 8:
        return "\n".join("> " * draw(st.integers(1, 3)) + ln for ln in draw(block(depth=depth + 1)).split("\n"))
    if kind == 9:
        return "!!! note\n" + "\n".join("    " + ln for ln in draw(block(depth=depth + 1)).split("\n"))
    return f"<div markdown=\"1\">\n{draw(block(depth=depth + 1))}\n</div>"


@st.composite
def documents(draw: st.DrawFn) -> str:
    blocks = draw(st.lists(block(), max_size=8))
    seps = [draw(st.sampled_from(["\n\n", "\n", "\n\n\n", "\n \n"])) for _ in blocks]
    text = "".join(b + s for b, s in zip(blocks, seps, strict=True))
    n = 0
    out = []
    for piece in text.split(MARK):
        out.append(piece)
        out.append(f"wk{n}z")
        n += 1
    text = "".join(out[:-1])
    # What the book hands the scanner: a file as text mode reads it (book._text).
    return text.replace("\r\n", "\n").replace("\r", "\n")


_MARKER = re.compile(r"wk\d+z")
_MD = markdown.Markdown(extensions=["attr_list", "md_in_html", "admonition", "toc", "pymdownx.superfences"])


class _Code(HTMLParser):
    """The markers Python-Markdown rendered inside <code>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.found: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.depth += tag == "code"

    def handle_endtag(self, tag: str) -> None:
        if tag == "code" and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.found.update(_MARKER.findall(data))


def in_code(text: str) -> set[str]:
    _MD.reset()
    parser = _Code()
    parser.feed(_MD.convert(text))
    parser.close()
    return parser.found


def _slugify(text: str, sep: str) -> str:
    return re.sub(r"[^\w]+", sep, text.lower()).strip(sep)


def check_scan(text: str) -> None:
    """Never raises, stays in range, positions agree with the text, facts() agrees with scan()."""
    scan = scanner.scan(text)
    refs = scan.refs
    assert [r.start for r in refs] == sorted(r.start for r in refs)
    for r in refs:
        if r.kind == "page-too-complex":  # a place (where the paragraph or nesting starts), not a span
            assert 0 <= r.start == r.end <= len(text), r
        else:
            assert 0 <= r.start < r.end <= len(text), r
        line_start = text.rfind("\n", 0, r.start) + 1
        assert (r.line, r.col) == (text.count("\n", 0, r.start) + 1, r.start - line_start + 1), r
        if r.kind == "wikilink":
            assert text[r.start:r.end] == f"[[{r.target}]]", r
        elif r.kind == "embed":
            assert text[r.start:r.end] == f"![[{r.target}]]", r
        elif r.kind == "wiki-syntax":  # the target is the whole construct, as written
            assert text[r.start:r.end] == r.target, r
        if r.target_end and r.kind != "wiki-syntax":
            assert r.start <= r.target_start <= r.target_end <= r.end, r
            written = text[r.target_start:r.target_end]
            assert (html.unescape(written) if r.kind.startswith("html-") else written) == r.target, r
        if r.kind == "cite":
            assert all(f"@{k}" in text[r.start:r.end] for k in r.keys), r
    sites, definitions, anchors, _title = scanner.facts(text, 0, _slugify)
    assert sites == [(r.kind, r.target, r.keys, r.start) for r in refs]
    assert definitions == scan.definitions
    assert anchors == scanner.anchors(scan, _slugify)


def check_code_skipped(text: str) -> None:
    """Nothing that Python-Markdown renders inside <code> is among the scanner's references."""
    coded = in_code(text)
    reported = {m for r in scanner.scan(text).refs for m in _MARKER.findall(r.target + " " + " ".join(r.keys))}
    assert not (coded & reported), f"reported from inside code: {sorted(coded & reported)}"


@NORMAL
@given(documents())
@example("[[<!-- [[wk0z]] -->]]\n\n")  # a [[...]] naming nothing, reported as written, comment and all
def test_scanner_on_generated_markdown(text):
    check_scan(text)


# Issue 12: the scanner still checks some code Python-Markdown renders as code (indented code
# in blockquotes and admonitions, after HTML). Not strict:
# a run of a few hundred documents finds such a one more often than not, not always.
_CODE_IN_CONTAINERS = pytest.mark.xfail(reason="issue 12: code in containers", strict=False)


@_CODE_IN_CONTAINERS
@NORMAL
@given(documents())
def test_scanner_reports_nothing_inside_code(text):
    check_code_skipped(text)


@pytest.mark.long
@LONG
@given(documents())
def test_scanner_on_generated_markdown_long(text):
    check_scan(text)


@_CODE_IN_CONTAINERS
@pytest.mark.long
@LONG
@given(documents())
def test_scanner_reports_nothing_inside_code_long(text):
    check_code_skipped(text)


@NORMAL
@given(st.text(alphabet=st.sampled_from("`~[]()!@#<>-*_ \n\t\u2028\x85\\:|{}ab"), max_size=400))
def test_scanner_on_any_text(text):
    """Not only Markdown: any text of its special characters."""
    check_scan(text)


# -- the resolver ---------------------------------------------------------------------------

SEGMENTS = ["..", "..", ".", "", "manuscript", "knowledge", "events", "01-intro", "evt-a.md", "intro.md",
            "x", "x.md", "%2e%2e", "%2E%2e", ".%2e", "%2F", "%2f..", "%00", "\x00", "\\", "..\\..", "\\\\?\\C:",
            "C:", "~", "%5c", "etc", "passwd", "references.bib", "中文", "%E4%B8%AD", "a b", "...", ". .", "%252e%252e"]


@st.composite
def urls(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=12))
    seps = draw(st.lists(st.sampled_from(["/", "/", "/", "\\", "//", "%2F"]), min_size=len(parts), max_size=len(parts)))
    url = "".join(p + s for p, s in zip(parts, seps, strict=True))[: -len(seps[-1])] if parts else ""
    url = draw(st.sampled_from(["", "", "/", "//", "\\\\", "\\\\?\\", "./", "../"])) + url
    return url + draw(st.sampled_from(["", "", "#top", "#a/../b", "?q=../x", "/"]))


@pytest.fixture(scope="module")
def mini_book(tmp_path_factory):
    root = write_book(tmp_path_factory.mktemp("resolve") / "book", MINI_BOOK)
    return loading.load(load_settings(root), use_cache=False)


INSIDE = ("doc", "asset", "missing", "not-in-site", "folder")


def check_resolve(book, src: str, url: str) -> None:
    link = resolve.resolve_link(book, src, url)
    root = Path(book.settings.root).resolve()
    if link.kind == "external":
        assert url.startswith("//") or resolve.SCHEME.match(url), (url, link)
        return
    rest = url.partition("#")[0].partition("?")[0]
    if link.kind == "absolute":
        assert rest.startswith("/"), (url, link)
        return
    if link.kind == "self":
        assert rest == "" and link.path == src
        return
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(src), unquote(rest)))
    if link.kind == "outside":
        assert joined == ".." or joined.startswith(("../", "/")), (url, link)
        return
    assert link.kind in INSIDE, link
    path = link.path
    assert path and not path.startswith("/") and path != ".." and not path.startswith("../"), (url, link)
    assert ".." not in path.split("/"), (url, link)
    # No symlinks in the mini book: resolving checks the path's text (a NUL cannot be resolved).
    assert (root / path.replace("\x00", "_")).resolve().is_relative_to(root), (url, link)
    expected = {joined, f"{joined}/index.md", f"{joined}/README.md"} if link.kind == "doc" else {joined}
    assert path in expected, (url, link, joined)


SOURCES = st.sampled_from(["manuscript/index.md", "manuscript/01-intro/intro.md", "knowledge/events/evt-a.md",
                           "knowledge/concepts/concept-x.md", "manuscript/01-intro/intro.en.md"])


@NORMAL
@given(src=SOURCES, url=urls())
def test_resolver_never_leads_outside(mini_book, src, url):
    check_resolve(mini_book, src, url)


@NORMAL
@given(src=SOURCES, url=st.text(max_size=60))
def test_resolver_on_any_text(mini_book, src, url):
    check_resolve(mini_book, src, url)


@NORMAL
@given(folder=st.sampled_from(["", "a", "a/b", "manuscript/01-intro", "x/y/z"]),
       rel=st.text(alphabet=st.sampled_from("./ab\\%\x00"), max_size=20))
def test_join_path_is_normpath(folder, rel):
    assert resolve.join_path(folder, rel) == posixpath.normpath(posixpath.join(folder, rel))


@pytest.mark.long
@LONG
@given(src=SOURCES, url=urls())
def test_resolver_never_leads_outside_long(mini_book, src, url):
    check_resolve(mini_book, src, url)


@pytest.mark.long
@LONG
@given(folder=st.sampled_from(["", "a", "a/b", "manuscript/01-intro", "x/y/z"]),
       rel=st.text(alphabet=st.sampled_from("./ab\\%\x00"), max_size=20))
def test_join_path_is_normpath_long(folder, rel):
    assert resolve.join_path(folder, rel) == posixpath.normpath(posixpath.join(folder, rel))
