"""A check's verdict, given again while nothing it was found from has changed.

A run of `chronicle check` records, beside the cache (cache.py), the problems it printed and
all they were found from: the code and every config file (as read: INHERIT followed,
environment variables resolved), each tree's files as the walk met them, the pages' and
cards' sizes and times (the other files are looked at, never read: their names are what
counts), the bibliography files' sizes and times, what the file system said of every path
a reference asked about, and git's HEAD (a translation's staleness comes from git history).
The next run walks the trees and stats the pages as a warm run would; if all is as recorded,
it prints the recorded problems without reading, parsing or indexing anything: an unchanged
book costs its walk. Else what it saw on the way is handed to the load (walk.Seen), which
does not ask again.

A file modified within cache.RACY seconds of the recording could change again in the same
tick of the clock, its size and time as recorded: its content's digest is recorded too, and
compared (git's "racy clean" rule, as in cache.py).
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import BIBLIOGRAPHY, FORMAT, RACY, cache_key, content_digest, read_payload, stat_key, write_payload
from .problems import Problem
from .resolve import probe
from .status import git_head
from .walk import Seen, walk

if TYPE_CHECKING:
    from .book import Book
    from .settings import Settings

VERDICT = "verdict.marshal"
Row = tuple[Any, ...]  # a Problem's fields, in their order


def _key(settings: Settings) -> str:
    parts = (FORMAT.decode(), cache_key(settings), *settings.configs, repr(settings.trees))
    return hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _rows(problems: list[Problem]) -> list[Row]:
    return [(p.file, p.line, p.column, p.severity, p.code, p.message, p.target, p.hint) for p in problems]


def replay(settings: Settings) -> tuple[tuple[list[Problem], int] | None, Seen]:
    """The problems the last check of this book printed and how many files it checked, if
    nothing they were found from has changed since (else None), and what was seen on the way."""
    seen = Seen({}, {})
    if not settings.cache_dir:
        return None, seen
    record = read_payload(settings.root / settings.cache_dir, VERDICT)
    if not (isinstance(record, tuple) and len(record) == 8 and record[0] == _key(settings)):
        return None, seen
    walks, bibliographies, racy, probes, head, rows, files_checked = record[1:]
    root = str(settings.root)
    if [rel for rel, _files, _refused, _stats in walks] != settings.layout.walked(settings.trees):
        return None, seen
    for rel, files, refused, recorded in walks:
        now: list[Problem] = []
        found = walk(settings.root, rel, now)
        seen.walks[rel] = (found, now)
        if found != files or _rows(now) != refused:
            return None, seen
        stats = seen.stats
        for name, st in zip([f for f in files if f.endswith(".md")], recorded, strict=True):
            source = os.path.join(root, name)
            stats[source] = stat_key(source)
            if stats[source] != st:
                return None, seen
    for rel, st in bibliographies:
        if stat_key(os.path.join(root, rel)) != st:
            return None, seen
    for rel, digest in racy:
        try:
            with open(os.path.join(root, rel), "rb") as fh:
                if content_digest(fh.read()) != digest:
                    return None, seen
        except OSError:
            return None, seen
    if any(probe(settings.root, path) != state for path, state in probes) or git_head(settings.root) != head:
        return None, seen
    return ([Problem(*row) for row in rows], files_checked), seen


def record(settings: Settings, book: Book, problems: list[Problem]) -> None:
    """Keep PROBLEMS, which the check of BOOK found, and all they were found from (see the
    module's docstring)."""
    store = book.cache
    if store is None or not settings.cache_dir:
        return
    recent = (time.time() - RACY) * 1e9
    root = str(settings.root)
    # What each file was when it was read (or found as recorded), and the digest of its content.
    known = {doc.source: store.new[path] for path, doc in book.docs.items() if path in store.new}
    walks = []
    racy: list[tuple[str, bytes]] = []
    for rel, files, refused in book.walked:
        stats = []
        for name in files:
            if not name.endswith(".md"):
                continue
            entry = known.get(os.path.join(root, name))
            if entry is None:  # not a page: not UTF-8, or left out (see loading.load)
                st = stat_key(os.path.join(root, name))
                if st is None or st[1] >= recent:
                    _forget(settings.root / settings.cache_dir)
                    return
            else:
                st = (entry[0], entry[1])
                if st[1] >= recent:
                    racy.append((name, entry[3]))
            stats.append(st)
        walks.append((rel, files, _rows(refused), stats))
    bibliographies = []
    for rel in settings.bibliographies:
        st = stat_key(os.path.join(root, rel))
        if st is not None and st[1] >= recent:
            entry = store.new.get(BIBLIOGRAPHY + rel)
            if entry is None or (entry[0], entry[1]) != st:
                _forget(settings.root / settings.cache_dir)
                return
            racy.append((rel, entry[3]))
        bibliographies.append((rel, st))
    probes = set(book.probed)
    for reused in store.problems.values():
        probes.update(reused[1])  # (problem rows, what the file system said)
    write_payload(settings.root / settings.cache_dir, VERDICT,
                  (_key(settings), walks, bibliographies, racy, sorted(probes), git_head(settings.root),
                   _rows(problems), len(book.docs)))


def _forget(folder: Path) -> None:
    try:
        os.unlink(folder / VERDICT)
    except OSError:
        pass
