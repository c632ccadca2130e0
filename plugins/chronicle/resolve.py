"""Where a reference leads: pure functions over the Book, shared by the checker and the renderer."""

from __future__ import annotations

import difflib
import posixpath
import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote

from .book import Book, Doc

LinkKind = Literal["external", "absolute", "self", "doc", "asset", "missing", "outside", "not-in-site", "folder"]


@dataclass(frozen=True)
class Link:
    """A relative URL resolved against the repository."""

    kind: LinkKind
    path: str = ""  # repository path of the target (doc, asset) or what was looked for
    anchor: str = ""  # decoded fragment


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def resolve_link(book: Book, src: str, url: str) -> Link:
    """Resolve URL written in the file SRC (a repository path)."""
    if url.startswith("//") or _SCHEME.match(url):
        return Link("external")
    rest, _, fragment = url.partition("#")
    raw_path = rest.partition("?")[0]
    anchor = unquote(fragment) if "%" in fragment else fragment
    if raw_path.startswith("/"):
        return Link("absolute", raw_path, anchor)
    if not raw_path:
        return Link("self", src, anchor)
    folder = src.rpartition("/")[0]
    key = (folder, raw_path)
    path = book.path_cache.get(key)
    if path is None:
        decoded = unquote(raw_path) if "%" in raw_path else raw_path
        path = posixpath.normpath(posixpath.join(folder, decoded))
        book.path_cache[key] = path
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


def near(word: str, candidates: list[str], cutoff: float) -> str | None:
    """difflib's closest match, after a cheap filter: on a book of thousands of files,
    comparing every name with SequenceMatcher would dominate the whole check."""
    if not candidates:
        return None
    chars = set(word)
    size = len(word)
    pool = [
        c for c in candidates
        if abs(len(c) - size) <= max(3, size // 3) and len(chars & set(c)) >= cutoff * min(len(chars), len(set(c)))
    ]
    close = difflib.get_close_matches(word, pool, n=1, cutoff=cutoff)
    return close[0] if close else None


def suggest_path(book: Book, path: str) -> str | None:
    """A near miss: wrong case, wrong folder, a renamed file (in the same folder)."""
    index = book.file_index()
    lower = index["lower"].get(path.lower())
    if lower:
        return lower
    same_name = index["names"].get(posixpath.basename(path))
    if same_name:
        return same_name[0]
    folder, name = posixpath.split(path)
    match = near(name, index["folders"].get(folder, []), 0.75)
    return f"{folder}/{match}" if match and folder else match


def suggest_id(book: Book, ident: str) -> str | None:
    return near(ident, list(book.entries), 0.75)


def suggest_key(book: Book, key: str) -> str | None:
    return near(key, list(book.bib.entries), 0.6)


def missing_anchor_files(book: Book, src: Doc, target_base: str, anchor: str, self_link: bool = False) -> list[str]:
    """The target files, one per language the link renders in, that lack ANCHOR."""
    missing: list[str] = []
    for lang in book.render_languages(src):
        target = src if self_link else book.doc_in(target_base, lang)
        if anchor not in target.anchors(book.settings) and target.path not in missing:
            missing.append(target.path)
    return missing
