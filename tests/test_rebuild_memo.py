"""What the plugin carries from one rebuild to the next while serving (the references each file
resolves to, the generated pages, the search index's term parts) gives what a fresh
computation of the book as it is now gives, after each kind of edit."""

from __future__ import annotations

from pathlib import Path

import pytest
from chronicle import loading, pages, search
from chronicle.backlinks import References, backlinks
from chronicle.config import ChronicleConfig
from chronicle.settings import load_settings
from servetools import append_to, copy_book, replace_in

REPO = Path(__file__).resolve().parents[1]
CHAPTER = "manuscript/02-capabilities/what-gpt2-could-do.md"
CARD = "knowledge/events/gpt2-release-2019.md"


EDITS = [
    ("paragraph", lambda root: append_to(root, CHAPTER, "\n\n新的一段，没有链接。\n")),
    ("a new link", lambda root: append_to(root, CHAPTER, "\n\n另见 [[dual-use-technology]]。\n")),
    ("card title", lambda root: replace_in(root, CARD, "title: GPT-2 发布，完整模型暂不公开",
                                      "title: GPT-2 发布，完整模型暂缓公开")),
    ("card id", lambda root: replace_in(root, CARD, "event_id: gpt2-2019-02", "event_id: gpt2-announced")),
    ("chapter title", lambda root: replace_in(root, CHAPTER, "# GPT-2 能做什么", "# GPT-2 能写什么")),
]


@pytest.fixture
def book_root(tmp_path: Path) -> Path:
    return copy_book(REPO, tmp_path / "book")


def _load(root: Path):
    return loading.load(load_settings(root), use_cache=False)


def _options() -> ChronicleConfig:
    options = ChronicleConfig()
    options.load_dict({})
    options.validate()
    return options


@pytest.mark.parametrize("name", [name for name, _ in EDITS])
def test_carried_references_and_pages_are_the_fresh_ones_after_anreplace_in(book_root: Path, name: str) -> None:
    references, generated, options = References(), {}, _options()
    before = _load(book_root)
    first_links = backlinks(before, references)
    first_pages = pages.generated_pages(before, options, first_links, True, generated)
    assert first_links == backlinks(before)
    dict(EDITS)[name](book_root)
    after = _load(book_root)
    fresh_links = backlinks(after)
    assert backlinks(after, references) == fresh_links
    fresh_pages = pages.generated_pages(after, options, fresh_links, True)
    assert pages.generated_pages(after, options, fresh_links, True, generated) == fresh_pages
    if name == "paragraph":  # nothing the generated pages show changed: the memo was used as it was
        assert fresh_pages == first_pages
    else:
        assert fresh_links != first_links or fresh_pages != first_pages


def test_the_memo_of_pages_is_used_when_nothing_they_show_changed(book_root: Path) -> None:
    options, generated = _options(), {}
    book = _load(book_root)
    links = backlinks(book)
    pages.generated_pages(book, options, links, True, generated)
    # A stand-in in the memo, under the digest it was recorded with, is what comes back: the
    # pages were not rendered again.
    rel = next(iter(generated))
    generated[rel] = (generated[rel][0], "# stand-in\n")
    append_to(book_root, CHAPTER, "\n\n新的一段。\n")
    again = _load(book_root)
    out = pages.generated_pages(again, options, backlinks(again), True, generated)
    assert out[rel].endswith("# stand-in\n")
    replace_in(book_root, CARD, "title: GPT-2 发布，完整模型暂不公开", "title: 改过的标题")
    edited = _load(book_root)
    out = pages.generated_pages(edited, options, backlinks(edited), True, generated)
    assert "stand-in" not in out[rel]


INDEX = {"config": {"lang": ["zh"]}, "docs": [
    {"location": "a/", "title": "分阶段发布", "text": "关于分阶段发布的一页"},
    {"location": "en/a/", "title": "Staged release", "text": "A page about it"},
]}


def test_the_term_parts_carried_over_give_the_fresh_split_and_stay_bounded() -> None:
    parts = {"分阶段发布": ["分阶段", "发布"], "关于": ["关", "于"]}
    memo = search.PartsMemo(parts)
    assert search.split_index(INDEX, "zh", ["en"], set(), parts, memo) \
        == search.split_index(INDEX, "zh", ["en"], set(), parts)
    for n in range(20):
        edited = {"config": INDEX["config"], "docs": [
            {**INDEX["docs"][0], "text": f"关于 第{n}版"}, INDEX["docs"][1]]}
        assert search.split_index(edited, "zh", ["en"], set(), parts, memo) \
            == search.split_index(edited, "zh", ["en"], set(), parts)
    assert len(memo.texts) <= 2 * 4
    # One language's split, then the whole index's, build after build: nothing is dropped.
    memo = search.PartsMemo(parts)
    chinese = [{"location": f"c{n}/", "title": f"第{n}章", "text": f"关于 {n}"} for n in range(4)]
    whole = {"config": INDEX["config"], "docs": [*chinese, INDEX["docs"][1]]}
    english = {"config": INDEX["config"], "docs": [INDEX["docs"][1]]}
    for _ in range(3):
        search.split_index(whole, "zh", ["en"], set(), parts, memo)
        search.split_index(english, "zh", [], set(), parts, memo)
        assert len(memo.texts) == 10


def test_a_memo_of_other_terms_is_not_used() -> None:
    """The book's terms changed (a concept was renamed): what the memo found with the old terms
    is not what the new ones find, so it is not taken, and the memo the plugin keeps is new."""
    old = {"分阶段发布": ["分阶段", "发布"]}
    new = {"关于": ["关", "于"]}
    memo = search.PartsMemo(old)
    search.split_index(INDEX, "zh", ["en"], set(), old, memo)
    memo.texts = dict.fromkeys(memo.texts, "stand-in")
    out = search.split_index(INDEX, "zh", ["en"], set(), new, memo)
    assert out == search.split_index(INDEX, "zh", ["en"], set(), new)
    assert "stand-in" not in repr(out)
    assert memo.of(old) is memo and memo.of(dict(old)) is memo
    assert memo.of(new) is not memo and memo.of(new).parts == new
