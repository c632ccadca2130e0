"""Who references whom: the backlinks index, from the same scan the checks use."""

from __future__ import annotations

from dataclasses import dataclass

from . import scanner
from .book import Book, Doc
from .resolve import resolve_link


@dataclass(frozen=True)
class Backlink:
    source: str  # default-language path of the referring page or card
    kind: str  # "link" or "embed"


def backlinks(book: Book) -> dict[str, list[Backlink]]:
    """Target base path -> the pages and cards (by base path) that link to or embed it."""
    found: dict[str, set[Backlink]] = {}
    for doc in book.docs.values():
        for target, kind in _references(book, doc):
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
