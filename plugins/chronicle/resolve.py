"""Where a reference leads: pure functions over the Book, shared by the checker and the renderer."""

from __future__ import annotations

import difflib
import functools
import posixpath
import re
from typing import Literal, NamedTuple
from urllib.parse import unquote

from .book import Book

LinkKind = Literal["external", "absolute", "self", "doc", "asset", "missing", "outside", "not-in-site", "folder"]


class Link(NamedTuple):
    """A relative URL resolved against the repository (a tuple: the checker makes ~50,000)."""

    kind: LinkKind
    path: str = ""  # repository path of the target (doc, asset) or what was looked for
    anchor: str = ""  # decoded fragment


SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_EXTERNAL = Link("external")


def resolve_link(book: Book, src: str, url: str) -> Link:
    """Resolve URL written in the file SRC (a repository path)."""
    if url.startswith("//") or (":" in url and SCHEME.match(url)):
        return _EXTERNAL
    rest, _, fragment = url.partition("#")
    raw_path = rest.partition("?")[0] if "?" in rest else rest
    anchor = unquote(fragment) if "%" in fragment else fragment
    if not raw_path:
        return Link("self", src, anchor)
    if raw_path[0] == "/":
        return Link("absolute", raw_path, anchor)
    folder = src.rpartition("/")[0]
    key = (folder, raw_path)
    path = book.path_cache.get(key)
    if path is None:
        path = book.path_cache[key] = join_path(folder, unquote(raw_path) if "%" in raw_path else raw_path)
    docs = book.docs
    if path in docs:
        return Link("doc", path, anchor)
    if path in book.files:
        return Link("asset", path, anchor)
    if path == ".." or path.startswith("../") or path.startswith("/"):
        return Link("outside", path, anchor)
    root = book.settings.root
    book.probes += 1  # the answer depends on more than the book: not to be cached
    if (root / path).is_dir():
        for index in ("index.md", "README.md"):
            candidate = f"{path}/{index}".lstrip("./")
            if candidate in docs:
                return Link("doc", candidate, anchor)
        return Link("folder", path, anchor)
    if (root / path).exists():
        return Link("not-in-site", path, anchor)
    return Link("missing", path, anchor)


def join_path(folder: str, rel: str) -> str:
    """posixpath.normpath(posixpath.join(folder, rel)), fast for the usual `../x/y.md` and `y.md`."""
    head, tail = folder, rel
    while tail.startswith("../") and head:
        head = head.rpartition("/")[0]
        tail = tail[3:]
    if tail and tail[0] not in "./" and "/." not in tail and "//" not in tail and tail[-1] != "/":
        return f"{head}/{tail}" if head else tail
    return posixpath.normpath(posixpath.join(folder, rel))


def near(word: str, candidates: list[str], cutoff: float) -> str | None:
    """difflib's closest match, after a cheap filter: on a book of thousands of files,
    comparing every name with SequenceMatcher would dominate the whole check."""
    if not candidates:
        return None
    chars = set(word)
    size = len(word)
    slack = max(3, size // 3)
    pool = [
        c for c, length, cset in _profiles(tuple(candidates))
        if abs(length - size) <= slack and len(chars & cset) >= cutoff * min(len(chars), len(cset))
    ]
    close = difflib.get_close_matches(word, pool, n=1, cutoff=cutoff)
    return close[0] if close else None


@functools.lru_cache(maxsize=16)
def _profiles(candidates: tuple[str, ...]) -> list[tuple[str, int, frozenset[str]]]:
    return [(c, len(c), frozenset(c)) for c in candidates]


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
    return near(key, list(book.bib.tiers), 0.6)


def missing_anchor_files(book: Book, langs: list[str], target_base: str, anchor: str) -> list[str]:
    """The target files, one per language LANGS (those the link renders in), that lack ANCHOR."""
    missing: list[str] = []
    for lang in langs:
        target = book.doc_in(target_base, lang)
        if anchor not in target.anchors and target.path not in missing:
            missing.append(target.path)
    return missing
