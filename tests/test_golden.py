"""Golden Markdown -> HTML: what the renderer makes of id links, embeds, citations and fallback
marks, page by page, compared with files in tests/golden/ that a person has read.

A change that alters the HTML on purpose regenerates them: `pytest tests/test_golden.py
--update-golden`, then read the diff (`git diff tests/golden`) before committing it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import Result

GOLDEN = Path(__file__).parent / "golden"
PAGES = {
    # Id links (title in the reader's language, own text, a section), a relative link to a card's
    # section, citations and the reference list, an embed, code left alone.
    "chapter.zh": "01-intro/intro/",
    "chapter.en": "en/01-intro/intro/",
    # A card: its panel of fields, sources, neighbourhood graph, backlinks.
    "card.zh": "knowledge/events/evt-a/",
    # A page shown in place of its missing translation: the notice in the reader's language,
    # the original's content declared Chinese, links to the other language marked.
    "fallback.en": "en/knowledge/events/evt-b/",
    "home.en": "en/",
}
_ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*?)</article>', re.S)


def article(html: str) -> str:
    """The page's content as the renderer made it, without the theme around it."""
    match = _ARTICLE.search(html)
    assert match, "no <article> in the page"
    lines = [line.rstrip() for line in match.group(1).strip().splitlines()]
    return "\n".join(line for line in lines if line) + "\n"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_html_is_as_golden(mini_site: Result, name: str, request: pytest.FixtureRequest) -> None:
    got = article(mini_site.page(PAGES[name]))
    golden = GOLDEN / f"{name}.html"
    if request.config.getoption("--update-golden"):
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(got, encoding="utf-8")
    assert golden.exists(), f"no {golden.name}: run pytest {__file__} --update-golden"
    assert got == golden.read_text(encoding="utf-8"), (
        f"{PAGES[name]} differs from tests/golden/{golden.name}: if the change is meant, "
        "regenerate with --update-golden and read the diff")


def test_the_golden_files_show_each_feature(mini_site: Result) -> None:
    """The golden files are only worth their diff if they hold what they are meant to pin."""
    chapter = (GOLDEN / "chapter.en.html").read_text(encoding="utf-8")
    assert ">Event A</a>" in chapter  # [[evt-a]] with its English title
    assert ">own text</a>" in chapter  # [[concept-x|own text]]
    assert "chronicle-card" in chapter  # ![[evt-a]]
    assert "chronicle-untranslated" in chapter  # [[evt-b]], Chinese only
    assert "Smith et al., 2020" in chapter  # [@smith2020]
    assert "[[nope]]" in chapter  # code is left alone
    fallback = (GOLDEN / "fallback.en.html").read_text(encoding="utf-8")
    assert "chronicle-fallback" in fallback and '<div lang="zh">' in fallback
    assert {path.stem for path in GOLDEN.glob("*.html")} == set(PAGES)
