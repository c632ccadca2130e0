"""The scanner's anchors are the ids Python-Markdown's toc gives, on any heading."""

from __future__ import annotations

import json
import re
from pathlib import Path

import markdown
import pytest
from chronicle import frontmatter, scanner
from conftest import MINI_BOOK, REPO, build, check, write_book
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown.extensions.toc import slugify as default_slugify
from pymdownx.slugs import slugify as pymdownx_slugify

SLUGIFIES = {"default": default_slugify, "pymdownx-lower": pymdownx_slugify(case="lower")}
_HEADING_ID = re.compile(r'<h[1-6][^>]* id="([^"]*)"')


def _toc_ids(text: str, slugify) -> set[str]:
    md = markdown.Markdown(extensions=["toc", "attr_list", "md_in_html", "footnotes", "tables"],
                           extension_configs={"toc": {"slugify": slugify}})
    import html

    return {html.unescape(i) for i in _HEADING_ID.findall(md.convert(text))}


def _scanner_ids(text: str, slugify) -> set[str]:
    body = frontmatter.parse(text).body_offset
    return scanner.facts(text, body, slugify)[2]


def test_a_heading_with_underscores_is_not_a_missing_anchor(tmp_path):
    files = dict(MINI_BOOK)
    files["manuscript/01-intro/snake.md"] = """
        # Snake

        ## snake_case_name

        ## a `code_span` and __init__

        [x](#snake_case_name) [y](#a-code_span-and-init)
        """
    root = write_book(tmp_path / "b", files)
    data = json.loads(check(root, "--format", "json").stdout)
    assert [p for p in data["problems"] if p["code"] == "missing-anchor"] == []
    result = build(root, strict=True)
    assert result.returncode == 0, result.output
    assert 'id="snake_case_name"' in result.page("01-intro/snake/")


@pytest.mark.parametrize("name", sorted(SLUGIFIES))
def test_every_heading_of_the_sample_book_gets_the_toc_id(name):
    slugify = SLUGIFIES[name]
    files = [p for tree in ("manuscript", "knowledge", "research") for p in sorted((REPO / tree).rglob("*.md"))]
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        body = text[frontmatter.parse(text).body_offset:]
        want = _toc_ids(body, slugify)
        assert want <= _scanner_ids(text, slugify), path.relative_to(REPO)


# With the white space Chinese books write (U+3000, no-break spaces, tabs): toc makes each run one space.
_WORD = st.text(alphabet="ab_*`~[]()<>&#!x1 中文-.:\\\u3000\xa0\t", min_size=0, max_size=14)


@st.composite
def _heading_docs(draw) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        level = draw(st.integers(1, 3))
        text = draw(_WORD)
        if draw(st.booleans()) and draw(st.booleans()):
            text += " {#" + draw(st.sampled_from(["a", "a_1", "x", "b_2"])) + "}"
        lines.append("#" * level + " " + text)
    return "\n\n".join(lines) + "\n"


# Left out: an unclosed '<!--' in a heading, which the scanner takes as a comment to the end
# of the page (as Python-Markdown does for one at the start of a block, not inside a heading).
@settings(max_examples=300, deadline=None)
@given(_heading_docs().filter(lambda doc: "<!--" not in doc), st.sampled_from(sorted(SLUGIFIES)))
def test_generated_headings_get_the_toc_ids(doc, name):
    slugify = SLUGIFIES[name]
    want = _toc_ids(doc, slugify)
    got = _scanner_ids(doc, slugify)
    assert want <= got


@pytest.mark.parametrize("heading", ["第 1 章\u3000困境", "第\u3000\u30001 章", "a\xa0b", "a\tb  c", "  x  "])
@pytest.mark.parametrize("name", sorted(SLUGIFIES))
def test_white_space_in_a_heading_is_read_as_toc_reads_it(heading, name):
    doc = f"# {heading}\n"
    assert _scanner_ids(doc, SLUGIFIES[name]) == _toc_ids(doc, SLUGIFIES[name])


def test_the_fix_is_the_real_toc(tmp_path: Path):
    # The hand-written reading took every '_' for emphasis: the slug it gave is not toc's.
    assert _scanner_ids("## snake_case_name\n", default_slugify) == {"snake_case_name"}
