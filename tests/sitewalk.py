"""Every file of a built site, read for markup that came from a payload."""

from __future__ import annotations

import gzip
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path


def is_safe_url(url: str) -> bool:
    """What a browser reads as http, https, mailto or a relative URL (written apart from
    chronicle.safe, so that a mistake there does not hide here)."""
    cleaned = "".join(c for c in html.unescape(url).strip("".join(map(chr, range(33)))) if c not in "\t\n\r")
    m = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
    return m is None or m.group(1).lower() in ("http", "https", "mailto")

# The theme's own code and fonts: not written from the book.
THEME_ASSETS = ("assets/javascripts/", "assets/stylesheets/", "assets/images/")
_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "poster", "data"}


class _Elements(HTMLParser):
    """Every element a browser would make of an HTML text, and what is wrong with it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.problems: list[str] = []
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in _URL_ATTRS and value is not None and not is_safe_url(value):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if tag in ("img", "svg") and name == "src" and value == "x":
                self.problems.append(f"<{tag} src=x>")
        if tag == "script":
            self._script = ""

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            if "alert(" in self._script:
                self.problems.append(f"<script>{self._script[:80]}</script>")
            self._script = None


def html_problems(text: str) -> tuple[list[str], list[str]]:
    """(elements, problems) of TEXT parsed as HTML."""
    parser = _Elements()
    parser.feed(text)
    parser.close()
    return parser.tags, parser.problems


# What Material's search index may hold as markup (its parser keeps these, escapes the rest).
SEARCH_TAGS = {"p", "code", "pre", "li", "ol", "ul", "sub", "sup"}


def search_problems(path: Path) -> list[str]:
    """Entries of a search_index.json whose title, text or tags hold markup of their own:
    Material's search results insert them as HTML."""
    out = []
    for doc in json.loads(path.read_text(encoding="utf-8"))["docs"]:
        for key in ("title", "text"):
            tags, problems = html_problems(doc.get(key, ""))
            extra = set(tags) - SEARCH_TAGS if key == "text" else set(tags)
            out += [f"{doc['location']} {key}: {p}" for p in problems]
            out += [f"{doc['location']} {key}: <{t}>" for t in sorted(extra)]
        for tag in doc.get("tags", []):
            tags, problems = html_problems(str(tag))
            if tags or problems:
                out.append(f"{doc['location']} tag {tag!r}")
    return out


def site_problems(site: Path) -> dict[str, list[str]]:
    """File (relative to SITE) -> what a payload made of it, for every file of the site."""
    found: dict[str, list[str]] = {}
    checked = 0
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if not path.is_file() or any(f"/{a}" in f"/{rel}" for a in THEME_ASSETS):
            continue
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # fonts, images
        checked += 1
        problems: list[str] = []
        if path.name == "search_index.json":
            problems = search_problems(path)
        elif path.suffix in (".html", ".htm", ".xml", ".gz", ".svg"):
            problems = html_problems(text)[1]
            if path.suffix != ".html":
                problems += [m for m in ("<img", "<svg", "<script") if m in text]
        else:  # css, js, json, txt written by the build: no markup of any kind from a payload
            problems = [m for m in ("<img", "<svg", "<script", "onerror=", "onload=", "javascript:") if m in text]
        if problems:
            found[rel] = problems
    assert checked, f"nothing to check in {site}"
    return found
