"""Who references whom: the backlinks index, from the same scan the checks use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import scanner
from .book import Book, Doc
from .resolve import resolve_link


@dataclass(frozen=True)
class Backlink:
    source: str  # default-language path of the referring page or card
    kind: str  # "link" or "embed"


class References:
    """Each file's resolved references, kept from one book to the next (while serving): a file
    with the same fingerprint, in a book with the same files and ids, references the same."""

    def __init__(self) -> None:
        self._shape: tuple[Any, ...] | None = None
        self._by_path: dict[str, tuple[str, list[tuple[str, str]]]] = {}

    def of_book(self, book: Book) -> Callable[[Doc], list[tuple[str, str]]]:
        shape = (tuple(book.docs), tuple((ident, e.base) for ident, e in book.entries.items()),
                 frozenset(book.files))
        if shape != self._shape:
            self._shape, self._by_path = shape, {}
        by_path = self._by_path

        def references(doc: Doc) -> list[tuple[str, str]]:
            known = by_path.get(doc.path)
            if known is not None and known[0] == doc.fingerprint:
                return known[1]
            found = _references(book, doc)
            by_path[doc.path] = (doc.fingerprint, found)
            return found

        return references


def backlinks(book: Book, memo: References | None = None) -> dict[str, list[Backlink]]:
    """Target base path -> the pages and cards (by base path) that link to or embed it. MEMO
    keeps each file's references for the next book."""
    references = memo.of_book(book) if memo is not None else (lambda doc: _references(book, doc))
    found: dict[str, set[Backlink]] = {}
    for doc in book.docs.values():
        for target, kind in references(doc):
            found.setdefault(target, set()).add(Backlink(doc.base, kind))
    return {k: sorted(v, key=lambda b: (b.source, b.kind)) for k, v in found.items()}


def targets_of(book: Book, doc: Doc) -> set[str]:
    """Base paths of the pages and cards DOC links to or embeds."""
    return {target for target, _kind in _references(book, doc)}


def _references(book: Book, doc: Doc) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for ref in doc.refs:
        target: str | None = None
        kind = "link"
        ref_kind, written = ref[0], ref[1]
        if ref_kind in ("wikilink", "embed", "embed-inline"):  # an inline embed is a link
            entry = book.entries.get(scanner.split_wiki(written)[0])
            target = entry.base if entry else None
            kind = "embed" if ref_kind == "embed" else "link"
        elif ref_kind in ("link", "html-link", "refdef"):
            link = resolve_link(book, doc.path, written)
            if link.kind == "doc":
                target = book.docs[link.path].base
        if target and target != doc.base:
            out.append((target, kind))
    return out
