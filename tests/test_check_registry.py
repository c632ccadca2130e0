"""Checks are registered with what they read, and the cache keys their problems by exactly that."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from chronicle import checks, loading
from chronicle.problems import Problem
from chronicle.settings import load_settings
from conftest import MINI_BOOK, write_book

INTRO = "manuscript/01-intro/intro.md"
RETIRED = "knowledge/events/retired.md"
RETIRED_CARD = "---\nevent_id: retired-term\ndate: 2019-01-01\ntitle: 退役\n---\n\n退役。\n"


def _retired_terms(book, doc):
    """A check of the kind a book's rules add: it flags a page that mentions the id of a card
    that exists (here: any page whose text names `retired-term`, once the card exists)."""
    if "retired-term" in book.entries and "retired-term" in doc.text and doc.path != RETIRED:
        yield Problem(doc.path, 1, 1, "warning", "retired-term", "mentions a retired term")


@contextlib.contextmanager
def registered(name: str, reads: tuple[str, ...], run) -> Iterator[None]:
    before = list(checks.FILE_CHECKS)
    checks.file_check(name, reads)(run)
    try:
        yield
    finally:
        checks.FILE_CHECKS[:] = before


def _age(root: Path) -> None:
    then = time.time() - 600
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (then, then))


def _codes(root: Path) -> set[tuple[str, str]]:
    book = loading.load(load_settings(root, validate=False), use_cache=True)
    return {(p.file, p.code) for p in checks.check(book)}


@pytest.fixture
def book_root(tmp_path: Path) -> Path:
    files = dict(MINI_BOOK)
    files[INTRO] = files[INTRO] + "\nretired-term is mentioned here.\n"
    root = write_book(tmp_path / "b", files)
    _age(root)
    return root


def test_a_new_check_sees_a_change_in_what_it_declares_it_reads(book_root):
    with registered("retired", ("ids",), _retired_terms):
        assert (INTRO, "retired-term") not in _codes(book_root)
        # The intro is unchanged (it comes from the cache); what changed is another file,
        # which adds an id: the check reads the ids, so its cached answer is not reused.
        (book_root / RETIRED).write_text(RETIRED_CARD, encoding="utf-8")
        assert (INTRO, "retired-term") in _codes(book_root)
        (book_root / RETIRED).unlink()
        assert (INTRO, "retired-term") not in _codes(book_root)


def _stale_title(book, doc):
    """A check of the kind a book's rules add: a page that names the event evt-a in words other
    than its title."""
    entry = book.entries.get("evt-a")
    if entry is not None and doc.path == INTRO and entry.title("zh", "zh") not in doc.text:
        yield Problem(doc.path, 1, 1, "warning", "title-not-named", "does not name evt-a by its title")


@pytest.mark.parametrize("declared", [True, False])
def test_only_what_a_check_declares_invalidates_its_cached_answer(book_root, declared):
    # No built-in check reads the titles: a check that does, and says so, sees a title change
    # in another file; the same check without the declaration is given its old answer.
    card = book_root / "knowledge/events/evt-a.md"
    text = card.read_text(encoding="utf-8")
    title = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("title:"))
    intro = book_root / INTRO
    intro.write_text(intro.read_text(encoding="utf-8") + f"\n{title}\n", encoding="utf-8")
    _age(book_root)
    with registered("titles", ("titles",) if declared else (), _stale_title):
        assert (INTRO, "title-not-named") not in _codes(book_root)
        card.write_text(text.replace(f"title: {title}", "title: 改名了"), encoding="utf-8")
        assert ((INTRO, "title-not-named") in _codes(book_root)) is declared


def test_the_cache_key_is_made_of_the_facets_read(book_root):
    book = loading.load(load_settings(book_root, validate=False), use_cache=False)
    before = checks.world_key(book)
    with registered("retired", ("ids",), _retired_terms):
        assert checks.world_key(book) != before  # a check added: the key changes
    assert checks.world_key(book) == before


def test_a_check_must_read_only_known_facets():
    with pytest.raises(ValueError, match="not facets"):
        checks.file_check("bad", ("weather",))(_retired_terms)
    assert all(c.name != "bad" for c in checks.FILE_CHECKS)


def test_every_registered_check_reads_known_facets_and_the_book_checks_run():
    assert {c.name for c in checks.FILE_CHECKS} >= {"references"}
    for c in checks.FILE_CHECKS:
        assert c.reads <= checks.FACETS.keys()
    assert {f.__name__ for f in checks.BOOK_CHECKS} >= {
        "check_cards", "check_bibliography", "check_embed_cycles", "check_translations"}
