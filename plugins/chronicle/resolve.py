"""Where a reference leads: pure functions over the Book, shared by the checker and the renderer."""

from __future__ import annotations

import difflib
import posixpath
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit

from .book import Book, Doc, Entry

LinkKind = Literal["external", "absolute", "self", "doc", "asset", "missing", "outside", "not-in-site", "folder"]


@dataclass(frozen=True)
class Link:
    """A relative URL resolved against the repository."""

    kind: LinkKind
    path: str = ""  # repository path of the target (doc, asset) or what was looked for
    anchor: str = ""  # decoded fragment


def resolve_link(book: Book, src: str, url: str) -> Link:
    """Resolve URL written in the file SRC (a repository path)."""
    parts = urlsplit(url)
    anchor = unquote(parts.fragment)
    if parts.scheme or parts.netloc or url.startswith("//"):
        return Link("external")
    if parts.path.startswith("/"):
        return Link("absolute", parts.path, anchor)
    if not parts.path:
        return Link("self", src, anchor)
    path = posixpath.normpath(posixpath.join(posixpath.dirname(src), unquote(parts.path)))
    if path == ".." or path.startswith("../") or path.startswith("/"):
        return Link("outside", path, anchor)
    if path in book.docs:
        return Link("doc", path, anchor)
    if path in book.files:
        return Link("asset", path, anchor)
    root = book.settings.root
    if (root / path).is_dir():
        for index in ("index.md", "README.md"):
            candidate = f"{path}/{index}".lstrip("./")
            if candidate in book.docs:
                return Link("doc", candidate, anchor)
        return Link("folder", path, anchor)
    if (root / path).exists():
        return Link("not-in-site", path, anchor)
    return Link("missing", path, anchor)


def suggest_path(book: Book, path: str) -> str | None:
    """A near miss: wrong case, wrong folder, a renamed file."""
    lower = path.lower()
    for f in book.files:
        if f.lower() == lower:
            return f
    name = posixpath.basename(path)
    same_name = sorted(f for f in book.files if posixpath.basename(f) == name)
    if same_name:
        return same_name[0]
    close = difflib.get_close_matches(path, list(book.files), n=1, cutoff=0.85)
    return close[0] if close else None


def suggest_id(book: Book, ident: str) -> str | None:
    close = difflib.get_close_matches(ident, list(book.entries), n=1, cutoff=0.75)
    return close[0] if close else None


def suggest_key(book: Book, key: str) -> str | None:
    close = difflib.get_close_matches(key, list(book.bib.entries), n=1, cutoff=0.6)
    return close[0] if close else None


def lookup_id(book: Book, ident: str) -> Entry | None:
    return book.entries.get(ident)


def missing_anchor_files(book: Book, src: Doc, target_base: str, anchor: str, self_link: bool = False) -> list[str]:
    """The target files, one per language the link renders in, that lack ANCHOR."""
    missing: list[str] = []
    for lang in book.render_languages(src):
        target = src if self_link else book.doc_in(target_base, lang)
        if anchor not in target.anchors(book.settings) and target.path not in missing:
            missing.append(target.path)
    return missing
