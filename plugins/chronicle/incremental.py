"""Which pages a save changes, so that `mkdocs serve` rebuilds only those.

After each build the plugin records, per page of the site (by URL, every language): the file it
was built from, the pages its HTML links to, its title and front matter, and its search entries.
Before the next build `plan` compares the book as it was with the book as it is now and
returns the pages to rebuild:

- the files whose text changed, in every language;
- when what others show of such a file changed (a title, a front-matter field such as a card's
  date or summary, an anchor, a heading): every page whose HTML linked to it (id-link texts,
  backlinks, the nav, the previous/next links, the card boxes and the graphs are all links);
- when its references changed: the pages it referenced before or references now (their
  backlinks list it);
- the pages that embed a changed file, through any chain of embeds;
- the files whose problems (the marks shown on the page) changed;
- the generated pages (timeline, graph, index, status) whose text changed: MkDocs' dirty build
  rebuilds those itself, as their files are rewritten only then.

A change to the set of files, to mkdocs.yml or to a bibliography asks for a full build instead
(None): the nav, every language's fallbacks and the site's file list follow from them. So does a
rebuild in which no page of the book changed (a theme override, an image, a `watch` path).
Nothing here imports MkDocs: the plugin feeds it URLs, paths and HTML.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import scanner
from .backlinks import targets_of
from .book import Book

_HREF = re.compile(r"""\shref=(?:"([^"]*)"|'([^']*)')""")


def page_key(url: str) -> str:
    """One spelling of a page's URL: '', 'en/', 'a/b/' and 'a/b/index.html' name themselves. The
    home page is '' whether written so (its Page's url) or './' (its File's)."""
    url = url.split("#", 1)[0].split("?", 1)[0]
    if url.endswith("index.html"):
        url = url[: -len("index.html")]
    url = url.strip("/")
    return "" if url == "." else url


def links_of(output: str, url: str) -> set[str]:
    """The pages of the site (keys as page_key) that the HTML OUTPUT of the page at URL links to."""
    here = posixpath.dirname("/" + url) if not url.endswith("/") else "/" + url
    out: set[str] = set()
    for match in _HREF.finditer(output):
        href = html.unescape(match.group(1) if match.group(1) is not None else match.group(2))
        if not href or href.startswith(("#", "mailto:", "javascript:", "data:")) or "//" in href.split("#")[0][:8]:
            continue
        path = href.split("#", 1)[0].split("?", 1)[0]
        if not path:
            continue
        target = path if path.startswith("/") else posixpath.join(here, path)
        out.add(page_key(posixpath.normpath(target)))
    return out


@dataclass
class Plan:
    """What to rebuild: files (by project-relative path, in every language) and pages (by key)."""

    bases: set[str] = field(default_factory=set)
    pages: set[str] = field(default_factory=set)

    def stale(self, src_uri: str, url: str) -> bool:
        # A generated page (staging.write_generated) is rewritten only when its text changes:
        # MkDocs' dirty build then sees it newer than its HTML. What it shows of others (titles
        # in the nav) makes it a linker of theirs, in PAGES.
        return src_uri in self.bases or page_key(url) in self.pages


@dataclass
class Tracker:
    """What the last build made, and the plan for the next one."""

    book: Book | None = None
    problems: dict[str, list[str]] = field(default_factory=dict)
    stamp: dict[str, float] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # page key -> src_uri
    links: dict[str, set[str]] = field(default_factory=dict)  # page key -> keys it links to
    meta: dict[str, tuple[Any, dict[str, Any]]] = field(default_factory=dict)  # key -> title, meta
    search: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # key -> its entries
    fallbacks: set[str] = field(default_factory=set)
    plan: Plan | None = None  # of the build under way; None: a full one
    built: set[str] = field(default_factory=set)  # keys of the pages this build wrote

    def start(self, book: Book, problems: Mapping[str, Iterable[Any]], stamp: dict[str, float]) -> Plan | None:
        """Plan the build about to run (and remember BOOK for the next one)."""
        texts = {path: sorted(p.text() for p in found) for path, found in problems.items()}
        old, old_problems, old_stamp = self.book, self.problems, self.stamp
        self.book, self.problems, self.stamp, self.built = book, texts, stamp, set()
        self.plan = None
        if old is None or old_stamp != stamp or set(old.docs) != set(book.docs) or not self.sources:
            self.sources, self.links, self.meta, self.search = {}, {}, {}, {}
            return None
        self.plan = plan(old, book, old_problems, texts, self.sources, self.links)
        return self.plan

    def forget(self) -> None:
        """Make the next build a full one."""
        self.sources = {}

    def record(self, key: str, src_uri: str, output: str, url: str) -> None:
        self.sources[key] = src_uri
        self.links[key] = links_of(output, url)
        self.built.add(key)

    def remember(self, key: str, title: Any, meta: dict[str, Any]) -> None:
        self.meta[key] = (title, dict(meta))

    def merge_search(self, entries: list[dict[str, Any]]) -> None:
        """Put back, in ENTRIES (this build's, of the pages it wrote), the entries of the pages it
        did not write, from the last build and in its order; remember them all."""
        fresh: dict[str, list[dict[str, Any]]] = {}
        for entry in entries:
            fresh.setdefault(page_key(str(entry.get("location", ""))), []).append(entry)
        if self.plan is not None:
            # The same files as the last build's: its order is the clean build's.
            merged = [e for key, old in self.search.items()
                      for e in (fresh.get(key, []) if key in self.built else old)]
            merged.extend(e for key, group in fresh.items() if key not in self.search for e in group)
            entries[:] = merged
            fresh = {}
            for entry in merged:
                fresh.setdefault(page_key(str(entry.get("location", ""))), []).append(entry)
        self.search = fresh


def stamp_of(paths: Iterable[Path]) -> dict[str, float]:
    """Modification times of the files whose change asks for a full build."""
    out: dict[str, float] = {}
    for path in paths:
        try:
            out[str(path)] = path.stat().st_mtime
        except OSError:
            out[str(path)] = -1.0
    return out


def _public(book: Book, path: str) -> tuple[Any, ...]:
    """What other pages can show of the file at PATH."""
    doc = book.docs[path]
    entry = book.by_base.get(doc.base)
    return (doc.heading_title, repr(doc.fm.data),
            sorted(doc.anchors), sorted(entry.titles.items()) if entry is not None else None,
            entry.id if entry is not None else None)


def _targets(book: Book, path: str) -> set[str]:
    """Bases of the files the file at PATH references (links, id links, embeds)."""
    return targets_of(book, book.docs[path])


def plan(old: Book, new: Book, old_problems: Mapping[str, list[str]], new_problems: Mapping[str, list[str]],
         sources: Mapping[str, str], links: Mapping[str, set[str]]) -> Plan | None:
    """The pages to rebuild when the book OLD became NEW (both with the same files); None when
    no page of the book changed: then what did (the theme's overrides, a path of mkdocs.yml's
    `watch`, an image) may show on every page."""
    out = Plan()
    changed = [p for p, doc in new.docs.items() if doc.fingerprint != old.docs[p].fingerprint]
    if not changed and old_problems == new_problems:
        return None
    keys_of: dict[str, set[str]] = {}  # base -> keys of its pages, every language
    for key, src in sources.items():
        doc = new.docs.get(src)
        if doc is not None:
            keys_of.setdefault(doc.base, set()).add(key)
    linkers: dict[str, set[str]] | None = None
    embedders: dict[str, set[str]] = {}
    for book in (old, new):
        for doc in book.docs.values():
            for written in doc.embeds:  # not doc.refs: unpacking every file's is a tenth of a second
                entry = book.entries.get(scanner.split_wiki(written)[0])
                if entry is not None:
                    embedders.setdefault(entry.base, set()).add(doc.base)
    for path in changed:
        base = new.docs[path].base
        out.bases.add(path)
        out.bases.add(base)
        if _public(old, path) != _public(new, path):
            if linkers is None:
                linkers = {}
                for key, targets in links.items():
                    for target in targets:
                        linkers.setdefault(target, set()).add(key)
            for key in keys_of.get(base, ()):
                out.pages |= linkers.get(key, set())
        before, after = _targets(old, path), _targets(new, path)
        if before != after or _public(old, path) != _public(new, path):
            out.bases |= before | after
        todo = [base]
        while todo:
            for embedder in embedders.get(todo.pop(), ()):
                if embedder not in out.bases:
                    out.bases.add(embedder)
                    todo.append(embedder)
    for path in set(old_problems) | set(new_problems):
        if old_problems.get(path) != new_problems.get(path):
            out.bases.add(path)
            doc = new.docs.get(path)
            if doc is not None:
                out.bases.add(doc.base)
    # Every language's file of each base.
    for doc in new.docs.values():
        if doc.base in out.bases:
            out.bases.add(doc.path)
    return out
