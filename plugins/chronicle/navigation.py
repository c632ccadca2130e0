"""The nav of mkdocs.yml, rewritten for the staged docs_dir."""

from __future__ import annotations

import posixpath
import re
from typing import Any

from .book import Book, Doc
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
            return [d.path for d in sorted(docs, key=key)]
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
