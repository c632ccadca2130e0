"""Where a reference leads: pure functions over the Book, shared by the checker and the renderer."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple
from urllib.parse import unquote

from . import confine
from .suggest import near

if TYPE_CHECKING:
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
    if book.settings.layout.mapped:
        # A link into another language's folder (layouts.py) leads to a file the book knows by
        # another path.
        layout = book.settings.layout
        real = posixpath.normpath(posixpath.join(posixpath.dirname(layout.real(src)), unquote(raw_path)))
        if layout.book_path(real) in docs:
            return Link("doc", layout.book_path(real), anchor)
    if path == ".." or path.startswith("../") or path.startswith("/"):
        return Link("outside", path, anchor)
    state = probe(book.settings.root, path)
    book.probed.append((path, state))  # the answer depends on more than the book's files
    if state == "outside":
        return Link("outside", path, anchor)
    if state == "folder":
        for index in ("index.md", "README.md"):
            candidate = f"{path}/{index}".lstrip("./")
            if candidate in docs:
                return Link("doc", candidate, anchor)
        return Link("folder", path, anchor)
    if state == "file":
        return Link("not-in-site", path, anchor)
    return Link("missing", path, anchor)


def probe(root: Path, path: str) -> str:
    """What the file system has at PATH: "folder", "file", "" (nothing), or "outside" when a
    symlink on the way leads out of the project (what is there is never looked at)."""
    full = root / path
    state = "folder" if full.is_dir() else "file" if full.exists() else ""
    if state and not confine.is_readable(root, path):
        return "outside"
    return state


def join_path(folder: str, rel: str) -> str:
    """posixpath.normpath(posixpath.join(folder, rel)), fast for the usual `../x/y.md` and `y.md`."""
    head, tail = folder, rel
    while tail.startswith("../") and head:
        head = head.rpartition("/")[0]
        tail = tail[3:]
    if tail and tail[0] not in "./" and "/." not in tail and "//" not in tail and tail[-1] != "/":
        return f"{head}/{tail}" if head else tail
    return posixpath.normpath(posixpath.join(folder, rel))


def suggest_path(book: Book, path: str, besides: tuple[str, ...] = ()) -> str | None:
    """A near miss: wrong case, wrong folder, a renamed file (in the same folder). Never one
    of BESIDES (the linking page and its original: `README.md` for a link to the project's
    own README would send the author to the page they are on)."""
    index = book.file_index()
    lower = index["lower"].get(path.lower())
    if lower and lower not in besides:
        return lower
    same_name = [p for p in index["names"].get(posixpath.basename(path), ()) if p not in besides]
    if same_name:
        return same_name[0]
    folder, name = posixpath.split(path)
    match = near(name, index["folders"].get(folder, []), 0.75)
    found = f"{folder}/{match}" if match and folder else match
    return found if found not in besides else None


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
