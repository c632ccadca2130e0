"""Escaping by construction: every string of a card, a BibTeX entry, a file name or an option
is text in the built site, and only http, https, mailto and relative URLs are linked."""

from __future__ import annotations

import json
import re
from pathlib import Path

import markdown
import pytest
from chronicle import bibliography
from chronicle.render import Blocks, drop_unsafe_urls, escape_meta, md_text
from chronicle.safe import Markup, is_safe_url, tag, url_scheme
from conftest import (
    EVIL_FILE,
    HOSTILE_LINKS,
    MINI_BOOK,
    PAYLOADS,
    build,
    check,
    write_book,
    write_hostile_book,
)
from sitewalk import html_problems, site_problems

# -- the helpers -------------------------------------------------------------------


@pytest.mark.parametrize(("url", "scheme"), [
    ("javascript:alert(1)", "javascript"),
    ("JaVaScRiPt:alert(1)", "javascript"),
    ("  javascript:alert(1)", "javascript"),
    ("\x01\x1f javascript:alert(1)", "javascript"),
    ("java\tscript:alert(1)", "javascript"),
    ("java\nscr\ript:alert(1)", "javascript"),
    ("&#106;avascript:alert(1)", "javascript"),
    ("&#x6A;avascript&colon;alert(1)", "javascript"),
    ("java&Tab;script:alert(1)", "javascript"),
    ("&#106avascript:alert(1)", "javascript"),  # no ';': browsers decode it all the same
    ("data:text/html,<script>alert(1)</script>", "data"),
    ("vbscript:msgbox(1)", "vbscript"),
    ("file:///etc/passwd", "file"),
    ("C:\\Windows", "c"),
    ("https://example.org/a?b=1&c=2", "https"),
    ("HTTP://example.org", "http"),
    ("mailto:a@example.org", "mailto"),
    ("../chapter.md#part", ""),
    ("#top", ""),
    ("//example.org/x", ""),
    ("java script:alert(1)", ""),  # a space is not removed: a relative path
    ("javascript%3Aalert(1)", ""),
    ("./javascript:alert(1)", ""),
    ("", ""),
])
def test_url_scheme_reads_a_url_as_a_browser_does(url, scheme):
    assert url_scheme(url) == scheme
    assert is_safe_url(url) == (scheme in ("", "http", "https", "mailto"))


def test_tag_escapes_every_string_and_links_only_safe_urls():
    out = tag("a", PAYLOADS[0], href="javascript:alert(1)", title=PAYLOADS[1], class_="x")
    assert out == Markup('<a title="&#34;&gt;&lt;svg onload=alert(1)&gt;" class="x">'
                         "&lt;img src=x onerror=alert(1)&gt;</a>")
    assert tag("a", "ok", href="https://example.org/?a=1&b=2") == \
        Markup('<a href="https://example.org/?a=1&amp;b=2">ok</a>')
    assert tag("p", tag("b", "<i>"), " & ") == Markup("<p><b>&lt;i&gt;</b> &amp; </p>")
    assert tag("img", src=" &#106;avascript:x", alt="a") == Markup('<img alt="a"></img>')


def test_a_block_given_a_plain_string_shows_it_as_text():
    blocks = Blocks()
    token = blocks.add("<img src=x onerror=alert(1)>")  # type: ignore[arg-type]
    html = blocks.fill(f"<p>{token.strip()}</p>", lambda path: path, late=True)
    assert html == "<p>&lt;img src=x onerror=alert(1)&gt;</p>"


@pytest.mark.parametrize(("html", "expected"), [
    ('<a href="javascript:alert(1)">x</a>', "<a >x</a>"),
    ("<a href='JAVASCRIPT:alert(1)' title=t>x</a>", "<a  title=t>x</a>"),
    ("<a href=javascript:alert(1)>x</a>", "<a >x</a>"),
    ('<a/href="javascript:alert(1)">x</a>', "<a/>x</a>"),
    ('<a "x" title="a>b" href="java&#9;script:1">x</a>', '<a "x" title="a>b" >x</a>'),
    ("<img SRC = ' &#x6A;avascript:1' alt=a>", "<img  alt=a>"),
    ('<object data="data:text/html,x"></object>', "<object ></object>"),
    # Links that may stay, and text and code that only look like attributes.
    ('<a href="https://x.org/?a=1&amp;b=2">x</a>', '<a href="https://x.org/?a=1&amp;b=2">x</a>'),
    ('<a href="mailto:a@b.c" data-x="javascript:1">x</a>', '<a href="mailto:a@b.c" data-x="javascript:1">x</a>'),
    ('<p>write href="javascript:x"</p>', '<p>write href="javascript:x"</p>'),
    ('<code>&lt;a href="javascript:x"&gt;</code>', '<code>&lt;a href="javascript:x"&gt;</code>'),
])
def test_the_build_drops_unsafe_url_attributes_and_nothing_else(html, expected):
    assert drop_unsafe_urls(html) == expected


def test_front_matter_the_theme_prints_raw_is_escaped():
    meta = {"title": PAYLOADS[0], "description": PAYLOADS[1], "author": PAYLOADS[1], "location": PAYLOADS[3],
            "tags": [*PAYLOADS, 3], "template": "main.html"}
    escape_meta(meta)
    for key in ("title", "description", "author", "location"):
        assert html_problems(f'<meta content="{meta[key]}">{meta[key]}') == (["meta"], []), key
    assert meta["tags"][:2] == ["&lt;img src=x onerror=alert(1)&gt;", "&#34;&gt;&lt;svg onload=alert(1)&gt;"]
    assert meta["tags"][-1] == 3 and meta["template"] == "main.html"


# -- the bibliography --------------------------------------------------------------

EVIL_BIB = """\
@misc{a,
  author = {Eve},
  title = {T <script>alert(1)</script>},
  year = {2020},
  URL = {javascript:alert(1)},
}
@misc{b, author = {Bob}, title = {U}, year = {2021},
  url = {"><img src=x onerror=alert(1)>}, doi = {10.1/"><svg onload=alert(1)>},
  howpublished = {\\href{  data:text/html,x}{here}},
  note = {</script><script>alert(1)</script>}}
@misc{c, author = {Carol}, title = {V}, year = {2022}, url = {https://example.org/?a=1&b=2}}
"""


def test_references_escape_every_field_and_link_only_safe_urls(tmp_path):
    (tmp_path / "refs.bib").write_text(EVIL_BIB, encoding="utf-8")
    bib = bibliography.load(tmp_path, "refs.bib")
    assert [(line, col, key, field) for _file, line, col, key, field, _ in bib.unsafe] == [
        (5, 3, "a", "URL"), (9, 3, "b", "howpublished")]
    a, b, c = (bib.reference_html(k) for k in "abc")
    for html in (a, b, c):
        tags, problems = html_problems(html)
        assert problems == [] and set(tags) <= {"a", "em", "span"}, html
    assert "javascript:alert(1)" in a and "<a " not in a  # the URL as text, not a link
    assert 'href="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"' in b  # relative, escaped
    assert 'href="https://doi.org/10.1/&#34;&gt;&lt;svg onload=alert(1)&gt;"' in b
    assert '<a href="https://example.org/?a=1&amp;b=2">' in c
    # From the cache's summary, without pybtex: the same findings.
    again = bibliography.load_file(tmp_path, "refs.bib", tuple(bib.sources[0].summary()))
    assert again.unsafe == bib.sources[0].unsafe


# -- a whole hostile book ----------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = write_hostile_book(tmp_path_factory.mktemp("hostile") / "book")
    result = build(root, strict=False)
    assert result.returncode == 0, result.output
    return root, result


def _copies_of_sources(root: Path, site: Path) -> set[str]:
    """Site files that are the book's own files as they are (the .bib): published, not built."""
    out = set()
    for path in site.rglob("*"):
        rel = path.relative_to(site).as_posix()
        for source in (root / rel, root / "manuscript" / rel):
            if path.is_file() and source.is_file() and source.read_bytes() == path.read_bytes():
                out.add(rel)
    return out


def test_no_payload_becomes_markup_in_any_file_of_the_site(hostile):
    root, result = hostile
    problems = site_problems(result.site)
    copies = _copies_of_sources(root, result.site)
    assert copies == {"knowledge/references.bib"}
    assert {f: p for f, p in problems.items() if f not in copies} == {}
    # ...and the payloads are there, as text, where they belong.
    card = result.page(f"knowledge/events/{EVIL_FILE}")
    assert '<span class="chronicle-tag">&lt;img src=x onerror=alert(1)&gt;</span>' in card
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in card  # organization
    assert "URL: javascript:alert(1)." in card  # the reference's URL, as text
    page = result.page(f"02-evil/{EVIL_FILE}")
    assert '<meta name="description" content="&#34;&gt;&lt;svg onload=alert(1)&gt;">' in page
    assert "<title>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; - Mini</title>" in page
    titled = result.page("02-evil/title")
    assert "<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; AT&amp;T - Mini</title>" in titled
    assert "&amp;lt;" not in titled  # escaped once, in the nav too
    timeline = result.page("timeline")
    assert "&amp;lt;" not in timeline
    assert re.search(r'<h1 id="[^"]*">&lt;img src=x onerror=alert\(1\)&gt;</h1>', timeline)
    assert "<title>&lt;img src=x onerror=alert(1)&gt; - Mini</title>" in timeline


def test_links_to_a_file_named_like_markup_work(hostile):
    _root, result = hostile
    chapter = result.page(f"02-evil/{EVIL_FILE}")
    quoted = "%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E"
    assert f'href="../../knowledge/events/{quoted}/"' in chapter
    card = result.page(f"knowledge/events/{EVIL_FILE}")
    assert f'href="../../../02-evil/{quoted}/"' in card  # its backlink
    assert (result.site / "knowledge" / "events" / EVIL_FILE / "index.html").is_file()
    graph = result.page("graph")
    assert 'href="../knowledge/events/%22%3E%3Cimg%20src=x%20onerror=alert%281%29%3E/"' in graph


def test_search_index_holds_text_not_markup(hostile):
    _root, result = hostile
    docs = json.loads((result.site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    tags = {t for d in docs for t in d.get("tags", [])}
    assert "&lt;img src=x onerror=alert(1)&gt;" in tags and "&lt;img src=x onerror=alert(3)&gt;" in tags
    assert not [t for t in tags if "<" in t or '"' in t]
    titles = [d["title"] for d in docs]
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in titles  # the page's front-matter title
    assert not [d for d in docs if re.search(r"<(?:img|svg|script)|onerror=|onload=", d["title"] + d["text"])
                and "&lt;" not in d["title"] + d["text"]]


def _unsafe(problems: list[dict]) -> list[tuple[str, int, int]]:
    return sorted((p["file"], p["line"], p["column"]) for p in problems if p["code"] == "unsafe-url")


def test_check_reports_every_unsafe_url_at_its_line_and_the_build_the_same(hostile):
    root, result = hostile
    links = [(i, line) for i, line in enumerate(HOSTILE_LINKS.splitlines(), 1)]
    expected = [("manuscript/02-evil/links.md", i, 1) for i, line in links
                if re.match(r"\[[a-f]\]\(|\[l\]:|!\[h\]|<a ", line)]
    expected.append(("manuscript/02-evil/links.md", 15, 41))  # the <img> after the <a> on line 15
    bib = (root / "knowledge/references.bib").read_text(encoding="utf-8").splitlines()
    expected += [("knowledge/references.bib", i, line.index(line.strip()) + 1) for i, line in enumerate(bib, 1)
                 if "javascript:" in line and ("url = " in line or "howpublished" in line)]
    assert len(expected) == 12
    for _run in ("cold", "cached"):
        proc = check(root, "--format", "json")
        assert proc.returncode == 1, proc.stderr
        problems = json.loads(proc.stdout)["problems"]
        assert _unsafe(problems) == sorted(expected)
        assert all(p["hint"] for p in problems if p["code"] == "unsafe-url")
    text = check(root).stdout
    lines = sorted(line for line in text.splitlines() if " unsafe-url " in line)
    logged = sorted(line.split("chronicle: ", 1)[1] for line in result.output.splitlines() if " unsafe-url " in line)
    assert logged == lines and len(lines) == 12


def test_strict_build_fails_on_an_unsafe_url(tmp_path):
    files = {**MINI_BOOK, "manuscript/bad.md": "# Bad\n\n[x](javascript:alert(1))\n"}
    result = build(write_book(tmp_path / "b", files))
    assert result.returncode != 0
    assert "manuscript/bad.md:3:1: error unsafe-url" in result.output


def test_a_bibliography_not_in_utf8_is_one_problem_at_its_line(tmp_path):
    (tmp_path / "refs.bib").write_bytes(b"@misc{a, title = {A}, year = {2020}}\n@misc{b, title = {Caf\xe9}}\n")
    bib = bibliography.load_file(tmp_path, "refs.bib")
    assert (bib.error_line, bib.tiers) == (2, {})
    assert "not UTF-8" in bib.error and "0xe9" in bib.error


@pytest.mark.parametrize("title", ["a\n===", "a\n\n    code", "a\n- b", "a\n[l]: javascript:alert(1)", "a\r\n<b>x</b>"])
def test_text_in_markdown_stays_on_its_line_and_inline(title):
    out = markdown.markdown(f"- [{md_text(title)}](x.md)")
    tags, problems = html_problems(out)
    assert (tags, problems) == (["ul", "li", "a"], []), out
