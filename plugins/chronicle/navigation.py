"""The site's navigation: the nav of mkdocs.yml rewritten for the staged docs_dir, or, when
mkdocs.yml has none, one made from the folders (see auto_nav)."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import escape

from .book import Book, Doc
from .l10n import t
from .problems import Problem
from .staging import GENERATED

_URL = re.compile(r"^[a-z][a-z0-9+.-]*:")


def rewrite_nav(nav: Any, book: Book, generated: set[str]) -> Any:
    """Nav paths are written relative to docs_dir (`../knowledge/...` for cards), generated
    pages by their `path`; a folder ending in '/' lists its cards (events by date)."""
    docs_dir = book.settings.docs_dir

    def key(d: Doc) -> tuple[int, tuple[int, int, int], str]:
        entry = book.by_base.get(d.path)
        if entry is not None and entry.kind == "event":
            return (0, entry.card.sort_key(), d.path)
        return (1, (0, 0, 0), book.title(d.path, book.default).casefold())

    def path(p: str) -> Any:
        if _URL.match(p) or p.startswith("/"):
            return p
        if p in generated:
            return f"{GENERATED}/{p}"
        full = posixpath.normpath(posixpath.join(docs_dir, p))
        if p.endswith("/"):
            folder = full + "/"
            docs = [d for d in book.docs.values() if d.lang == book.default and d.path.startswith(folder)]
            return by_year(book, [d.path for d in sorted(docs, key=key)])
        return full

    def walk(items: Any) -> Any:
        if isinstance(items, list):
            return [walk(i) for i in items]
        if isinstance(items, dict):
            return {k: walk(v) for k, v in items.items()}
        if isinstance(items, str):
            return path(items)
        return items

    return walk(nav)


# More events than this in one list are grouped by year: a reader finds one among hundreds by
# its year, and (with navigation.prune) a page carries its own year's links, not every event's;
# so a card's new title is in the HTML of its year's pages only, which is all a save rebuilds.
GROUP_EVENTS_OVER = 40


def by_year(book: Book, paths: list[str]) -> list[Any]:
    """PATHS (in date order) as they are, or, if they are more than GROUP_EVENTS_OVER events
    of more than one year, as one section per year (the undated last, in a section of their own)."""
    years: dict[str, list[str]] = {}
    events = 0
    for path in paths:
        entry = book.by_base.get(path)
        if entry is not None and entry.kind == "event":
            events += 1
            year = entry.card.sort_key()[0]
            years.setdefault(str(year) if year != 9999 else "", []).append(path)
        else:
            years.setdefault("\0", []).append(path)  # not an event: after them, as before
    if events <= GROUP_EVENTS_OVER or len(years) < 2:
        return paths
    undated = years.pop("", [])
    others = years.pop("\0", [])
    grouped: list[Any] = [{year: items} for year, items in years.items()]
    if undated:
        grouped.append({"—": undated})
    return grouped + others


# -- the navigation of a book whose mkdocs.yml has no `nav:` ---------------------------

# A leading number orders parts and chapters: `01-`, `2_`, `10.` (numerically: 2 before 10).
_NUMBER = re.compile(r"^(\d+)(?=[-_. ]|$)")
_INDEX_NAMES = ("index.md", "README.md", "readme.md")
# Folders of files the pages use, not of pages: a note in one is published, not listed.
INTERNAL_FOLDERS = frozenset({"assets", "images", "img", "media", "static"})
# Material's nav templates print titles as they are: a section title is escaped here, as the
# plugin escapes page titles (render.title_html).
NavItem = str | dict[str, Any]


def is_private(path: str) -> bool:
    """A Markdown file kept out of the site: one whose name or folder starts with '_'
    (`_template.md`, `_drafts/x.md`), or a template (`template.md`, `chapter-template.md`,
    `TEMPLATE.en.md`). Authors keep such files beside the chapters; they are not chapters."""
    if not path.endswith(".md"):
        return False
    parts = path.split("/")
    if any(p.startswith("_") for p in parts):
        return True
    stem = parts[-1][:-3].casefold()
    return any(s == "template" or s.endswith(("-template", "_template"))
               for s in (stem, stem.rsplit(".", 1)[0]))  # `x.md` and its translation `x.en.md`


def order_key(name: str) -> tuple[int, int, str]:
    """Index pages first, then numbered names by their number, then the rest by name."""
    if name in _INDEX_NAMES:
        return (0, 0, "")
    m = _NUMBER.match(name)
    return (1, int(m.group(1)), name.casefold()) if m else (2, 0, name.casefold())


@dataclass
class _Folder:
    pages: list[str] = field(default_factory=list)  # base paths of the pages directly in it
    folders: dict[str, _Folder] = field(default_factory=dict)


def _tree(bases: list[str], top: str) -> _Folder:
    root = _Folder()
    for base in bases:
        rest = base[len(top) + 1:].split("/")
        folder = root
        for name in rest[:-1]:
            folder = folder.folders.setdefault(name, _Folder())
        folder.pages.append(base)
    return root


def auto_nav(book: Book, paths: list[str], lang: str, generated: dict[str, str],
             fallback: bool = True) -> list[NavItem]:
    """The nav for LANG from the folders, for a book whose mkdocs.yml has none.

    PATHS are the Markdown files MkDocs will publish and list (exclude_docs, not_in_nav and
    private files already left out), by repository path; GENERATED maps a generated page's
    option name to its staged path. Chapters come from docs_dir: the home page first, then
    parts and chapters by their numeric prefix, a folder titled by its index page (else its
    first page; a folder of one page is that page). The cards form a knowledge section: the
    timeline, graph and concept index, events by date, concepts by title. Pages are listed by
    path, so MkDocs titles them from the page LANG is served (its translation or the
    original); section titles are given, in LANG. The home page comes first, then the
    chapters in one section, then the knowledge section."""
    settings, default = book.settings, book.default
    docs_dir, kdir = settings.docs_dir, settings.knowledge_dir
    bases: set[str] = set()
    for path in paths:
        doc = book.docs.get(path)
        base, plang = (doc.base, doc.lang) if doc is not None else (path, default)
        if plang == lang or (plang == default and (lang == default or fallback)):
            bases.add(base)

    def title(base: str) -> str:
        if base in book.docs or base in book.translations:
            return book.title(base, lang)
        return posixpath.basename(base)[:-3]

    def section(name: str, children: list[NavItem]) -> dict[str, Any]:
        return {str(escape(name)): children}

    def folder_items(folder: _Folder) -> list[NavItem]:
        named: list[tuple[tuple[int, int, str], NavItem]] = []
        for base in folder.pages:
            named.append((order_key(posixpath.basename(base)), base))
        for name, sub in folder.folders.items():
            item = folder_item(sub) if name not in INTERNAL_FOLDERS else None
            if item is not None:
                named.append((order_key(name), item))
        return [item for _key, item in sorted(named, key=lambda x: x[0])]

    def folder_item(folder: _Folder) -> NavItem | None:
        items = folder_items(folder)
        if not items:
            return None
        if len(items) == 1 and isinstance(items[0], str):
            return items[0]  # a part of one chapter is that chapter
        first = items[0]
        while isinstance(first, dict):  # a folder without pages of its own: its first page
            first = next(iter(first.values()))[0]
        return section(title(first), items)

    chapters = folder_items(_tree(sorted(b for b in bases if b.startswith(docs_dir + "/")), docs_dir))
    home = [chapters.pop(0)] if chapters and chapters[0] in [f"{docs_dir}/{n}" for n in _INDEX_NAMES] else []
    # The parts in one section, as the sample book has them: with Material's navigation.sections
    # and navigation.prune a page then carries a link per part and the open part's chapters,
    # not a link per chapter of the book (at 300 chapters, most of every page).
    nav: list[NavItem] = home + ([section(t(lang, "nav_chapters"), chapters)] if chapters else [])

    cards = _tree(sorted(b for b in bases if b.startswith(kdir + "/")), kdir)
    knowledge: list[NavItem] = [generated[n] for n in ("timeline", "graph", "concepts") if n in generated]
    index = [b for b in cards.pages if posixpath.basename(b) in _INDEX_NAMES]
    knowledge = index[:1] + knowledge

    def event_key(base: str) -> tuple[tuple[int, int, int], str]:
        entry = book.by_base.get(base)
        when = entry.card.sort_key() if entry is not None and entry.kind == "event" else (9999, 99, 99)
        return when, title(base).casefold()

    first = {"events": 0, "concepts": 1}  # as the cards' kinds are written everywhere else
    for name, sub in sorted(cards.folders.items(), key=lambda x: (first.get(x[0], 2), order_key(x[0]))):
        if name in INTERNAL_FOLDERS:
            continue
        if name in ("events", "concepts") and not sub.folders:
            key = event_key if name == "events" else (lambda b: title(b).casefold())
            if sub.pages:
                listed = sorted(sub.pages, key=key)
                knowledge.append(section(t(lang, f"nav_{name}"), by_year(book, listed) if name == "events" else listed))
        else:
            item = folder_item(sub)
            if item is not None:
                knowledge.append(item)
    knowledge += sorted((b for b in cards.pages if b not in index), key=lambda b: title(b).casefold())
    if knowledge:
        name = title(index[0]) if index else t(lang, "nav_knowledge")
        nav.append(section(name, knowledge))
    # Every other card folder (knowledge_dirs) is a section of its own, titled by its index page.
    for other in settings.trees[2:]:
        item = folder_item(_tree(sorted(b for b in bases if b.startswith(other + "/")), other))
        if item is not None:
            nav.append(item)
    return nav


def home_problem(book: Book) -> Problem | None:
    """A book without a home page has no page at the site's root (`/` and `/en/` answer 404)."""
    docs_dir = book.settings.docs_dir
    if any(f"{docs_dir}/{name}" in book.files for name in _INDEX_NAMES):
        return None
    others = " and ".join(f"{docs_dir}/index.{lang}.md" for lang in book.settings.other_languages)
    return Problem(f"{docs_dir}/index.md", 1, 1, "warning", "no-home-page",
                   f"the book has no home page: {docs_dir}/index.md does not exist, so the site's root is empty",
                   hint=f"write {docs_dir}/index.md" + (f" (and its translation {others})" if others else "")
                   + ": the home page, first in the nav")
