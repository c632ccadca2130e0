"""The search index's de-duplication across languages, done by the plugin in linear time."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from chronicle.i18n import dedupe_search_entries
from conftest import MINI_BOOK, MKDOCS_YML, build, write_book
from mkdocs_static_i18n.reconfigure import ExtendedPlugin


def entry(location: str, title: str = "T", text: str = "x") -> dict[str, str]:
    return {"location": location, "title": title, "text": text}


CASES = {
    "an untranslated page shown under en/": [entry("a/"), entry("en/a/"), entry("en/b/")],
    "its sections too": [entry("a/#s", "S"), entry("a/", "T"), entry("en/a/#s", "S"), entry("en/a/", "T")],
    "a translated page stays": [entry("a/", "甲", "中文"), entry("en/a/", "A", "English")],
    "same title, other text": [entry("a/"), entry("en/a/", text="y")],
    "other place": [entry("a/"), entry("en/b/a/"), entry("en/c/")],
    "the home page": [entry("", "Home"), entry("en/", "Home"), entry("en/x/", "Home", "y")],
    "twice the same": [entry("a/"), entry("a/"), entry("en/a/"), entry("en/a/")],
    "nothing in English": [entry("a/"), entry("b/")],
    "only English": [entry("en/a/"), entry("en/b/")],
}


@pytest.mark.parametrize("entries", CASES.values(), ids=CASES.keys())
def test_the_same_entries_as_static_i18n_drops(entries: list[dict[str, str]]) -> None:
    theirs, ours = copy.deepcopy(entries), copy.deepcopy(entries)
    ExtendedPlugin.reconfigure_search_duplicates(SimpleNamespace(build_languages=["zh", "en"]), theirs)
    dedupe_search_entries(ours, ["zh", "en"])
    assert ours == theirs


def test_every_repeat_is_dropped_where_static_i18n_skips_one() -> None:
    # It removes entries from the list it is filtering, so after each it drops it skips the
    # next: here the second repeat of the home page (its location, '', ends every location).
    entries = [entry("", "Home"), entry("en/", "Home"), entry("en/x/", "Home")]
    theirs = copy.deepcopy(entries)
    ExtendedPlugin.reconfigure_search_duplicates(SimpleNamespace(build_languages=["zh", "en"]), theirs)
    dedupe_search_entries(entries, ["zh", "en"])
    assert entries == [entry("", "Home")] and theirs == [entry("", "Home"), entry("en/x/", "Home")]


def test_a_build_indexes_an_untranslated_page_once(tmp_path: Path) -> None:
    root = write_book(tmp_path / "book", MINI_BOOK, MKDOCS_YML.replace("plugins:\n", "plugins:\n  - search\n"))
    result = build(root)
    assert result.returncode == 0, result.output
    docs = json.loads((result.site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    locations = [d["location"] for d in docs]
    assert len(locations) == len(set(locations))
    # evt-b has no translation: static-i18n's rule keeps only the default language's entry...
    # unless the English page says something else (the fallback notice is kept out of search).
    assert any(loc.startswith("knowledge/events/evt-b/") for loc in locations)
    assert any(loc.startswith("en/knowledge/events/evt-a/") for loc in locations)
