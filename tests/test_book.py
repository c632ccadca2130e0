"""The repository's own book: every reference resolves, checked two ways.

The checker reads the sources; the crawl reads the built HTML, which is the ground truth:
every internal href and src of every page of both languages must name an existing file
and, with a fragment, an existing id.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from conftest import REPO, build, check, copy_sample_book


@pytest.fixture(scope="module")
def book_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("repo") / "book"
    copy_sample_book(root)
    result = build(root, strict=True)
    assert result.returncode == 0, result.output
    return result.site


def test_checker_finds_no_error_in_the_book():
    proc = check(REPO, "--format", "json")
    data = json.loads(proc.stdout)
    errors = [p for p in data["problems"] if p["severity"] == "error"]
    assert errors == [], "\n".join(f"{p['file']}:{p['line']}: {p['message']}" for p in errors)
    assert proc.returncode == 0
    assert data["summary"]["files"] >= 30


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])  # type: ignore[arg-type]
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])  # type: ignore[arg-type]
        for key in ("href", "src"):
            if a.get(key) and tag in ("a", "img", "link", "script"):
                self.refs.append((tag, a[key]))  # type: ignore[arg-type]


def crawl(site: Path, base: str = "/") -> list[str]:
    """Broken internal references in the built site (served at BASE), as 'page -> href' lines."""
    pages: dict[str, _Collect] = {}
    for html in site.rglob("*.html"):
        parser = _Collect()
        parser.feed(html.read_text(encoding="utf-8"))
        pages[html.relative_to(site).as_posix()] = parser
    broken: list[str] = []
    for page, parser in pages.items():
        for tag, ref in parser.refs:
            parts = urlsplit(ref)
            if parts.scheme or parts.netloc or ref.startswith(("mailto:", "javascript:", "data:")):
                continue
            if parts.path.startswith("/") and not parts.path.startswith(base):
                broken.append(f"{page} -> {ref} (outside the site)")
                continue
            here = base + page
            target = unquote(urljoin(here, parts.path))[len(base):] if parts.path else page
            path = site / target
            if path.is_dir():
                path = path / "index.html"
                target = (target.rstrip("/") + "/index.html").lstrip("/")
            if not path.exists():
                broken.append(f"{page} -> {ref} (no file)")
                continue
            frag = unquote(parts.fragment)
            if frag and target in pages and frag not in pages[target].ids and tag == "a":
                broken.append(f"{page} -> {ref} (no id '{frag}')")
    return broken


def test_built_book_has_both_languages_and_generated_pages(book_site: Path):
    for prefix in ("", "en/"):
        for page in ("index.html", "01-road-to-gpt2/road-to-gpt2/index.html", "timeline/index.html",
                     "graph/index.html", "concepts/index.html", "knowledge/events/gpt2-release-2019/index.html"):
            assert (book_site / prefix / page).is_file(), prefix + page


def test_crawl_finds_nothing_broken(book_site: Path):
    broken = crawl(book_site, base="/gpt2-book/")
    assert broken == []


def test_no_placeholder_is_left_in_any_page(book_site: Path):
    """Blocks go in after Markdown and after search: none may stay a placeholder or an unresolved link."""
    pages = list(book_site.rglob("*.html"))
    assert len(pages) > 50
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "chronicle-url:" not in text and "<!--chronicle" not in text, page
        assert not re.search(r"chronicle[0-9a-f]{8}x\d+", text), page


def test_crawl_catches_a_broken_link(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a/index.html").write_text('<a href="../b/">b</a><a href="#x">x</a><a id="y"></a>')
    (tmp_path / "b").mkdir()
    (tmp_path / "b/index.html").write_text('<a href="../a/#y">ok</a><a href="../a/#z">bad</a>')
    assert sorted(crawl(tmp_path)) == ["a/index.html -> #x (no id 'x')", "b/index.html -> ../a/#z (no id 'z')"]


def test_language_switch_keeps_the_reader_on_the_same_page(book_site: Path):
    page = (book_site / "01-road-to-gpt2/road-to-gpt2/index.html").read_text(encoding="utf-8")
    switch = re.search(r'<a href="([^"]+)" hreflang="en"', page)
    assert switch, "no English link in the language switcher"
    assert switch.group(1).rstrip("/").endswith("en/01-road-to-gpt2/road-to-gpt2")
