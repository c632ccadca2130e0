"""`mkdocs serve` rebuilds only what a save changed, and serves what a clean build would.

A real server on a copy of the sample book; after each edit, every page it serves (and both
search indexes) is compared with a clean `mkdocs build` of the same files.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from chronicle.theme import TemplateCache
from jinja2 import Environment, FileSystemLoader
from servetools import Server, append_to, clean_build, copy_book, differences, replace_in

REPO = Path(__file__).resolve().parents[1]
SITE_URL = "https://example.org/gpt2-book/"

CHAPTER_2 = "manuscript/02-capabilities/what-gpt2-could-do.md"
CHAPTER_1 = "manuscript/01-road-to-gpt2/road-to-gpt2.md"
CHAPTER_4 = "manuscript/04-after-release/after-the-release.md"
CARD = "knowledge/events/gpt2-release-2019.md"
NEW_CARD = "knowledge/events/gpt2-paper-2019.md"
UNTRANSLATED = "knowledge/events/gpt3-release-2020.md"


def _new_card(root: Path) -> None:
    (root / NEW_CARD).write_text(
        "---\nevent_id: gpt2-paper-2019\ndate: 2019-02-14\ntitle: GPT-2 论文发表\n"
        "title_en: GPT-2 paper published\nevent_type: paper_publication\nsignificance_level: high\n"
        "verification_status: verified\n---\n\n# GPT-2 论文发表\n\n"
        "论文与博客同日发表，见 [[gpt2-2019-02]]。\n", encoding="utf-8")
    append_to(root, CHAPTER_2, "\n\n另见 [[gpt2-paper-2019]]。\n")


def _delete_card(root: Path) -> None:
    replace_in(root, CHAPTER_2, "\n\n另见 [[gpt2-paper-2019]]。\n", "\n")
    (root / NEW_CARD).unlink()


def _translate(root: Path) -> None:
    (root / UNTRANSLATED.replace(".md", ".en.md")).write_text(
        "---\ntitle: GPT-3 released\n---\n\n# GPT-3 released\n\nA translation, added while serving.\n",
        encoding="utf-8")


EDITS: list[tuple[str, Callable[[Path], None]]] = [
    ("paragraph", lambda root: append_to(root, CHAPTER_2, "\n\n一个新的段落，在服务时写下。\n")),
    ("card title", lambda root: replace_in(root, CARD, "title: GPT-2 发布，完整模型暂不公开",
                                         "title: GPT-2 发布，完整模型暂缓公开")),
    ("heading with an id", lambda root: replace_in(root, CHAPTER_1, "## WebText：让网友替模型挑文章 {#webtext}",
                                                 "## WebText：网友挑选的文章 {#webtext}")),
    ("new card", _new_card),
    ("deleted card", _delete_card),
    ("renamed chapter", lambda root: replace_in(root, CHAPTER_4, "# 发布之后", "# 发布以后")),
    ("translation added", _translate),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    root = copy_book(REPO, tmp_path_factory.mktemp("serve") / "book")
    server = Server(root)
    try:
        server.wait_ready()
        yield root, server
    finally:
        server.stop()


def test_the_first_build_is_served_as_built(served, tmp_path: Path) -> None:
    root, server = served
    assert differences(server, clean_build(root, tmp_path / "clean"), SITE_URL) == []


@pytest.mark.parametrize("name", [name for name, _ in EDITS])
def test_every_page_after_each_edit_is_as_a_clean_build_makes_it(served, tmp_path: Path, name: str) -> None:
    # Parametrized in order: each edit applies to the book the previous ones left.
    root, server = served
    edit = dict(EDITS)[name]
    before = server.builds()
    edit(root)
    server.wait_rebuild(before)
    problems = differences(server, clean_build(root, tmp_path / "clean"), SITE_URL)
    assert problems == [], "\n".join(problems[:20])


def test_the_server_rebuilt_only_what_changed(served) -> None:
    _root, server = served
    log = server.log()
    assert "Building documentation (only what changed)" in log
    assert "A 'dirty' build is being performed" not in log
    assert "Traceback" not in log


@pytest.mark.parametrize(("url", "key"), [
    ("", ""), ("en/", "en"), ("a/b/", "a/b"), ("a/b/index.html", "a/b"), ("a/b/#sec", "a/b"),
    ("404.html", "404.html"), ("./", ""), ("index.html", ""),
])
def test_a_page_has_one_key_however_its_url_is_written(url: str, key: str) -> None:
    from chronicle.incremental import page_key

    assert page_key(url) == key


@pytest.mark.parametrize(("html", "url", "links"), [
    ('<a href="../x/">', "a/b/", {"a/x"}),
    ('<a href="../../">', "a/b/", {""}),
    ("<a href='c/#s'>", "en/", {"en/c"}),
    ('<a href="#top"> <a href="https://example.org/a/"> <a href="mailto:x@y">', "a/", set()),
    ('<a href="/gpt2-book/a/">', "b/", {"gpt2-book/a"}),
    ('<a href="x/?q=1&amp;r=2">', "", {"x"}),
])
def test_the_links_of_a_page_are_the_pages_they_lead_to(html: str, url: str, links: set[str]) -> None:
    from chronicle.incremental import links_of

    assert links_of(html, url) == links


class _Counting(Environment):
    compiled = 0

    def compile(self, *args, **kwargs):  # type: ignore[override]
        type(self).compiled += 1
        return super().compile(*args, **kwargs)


def test_templates_are_compiled_once_for_every_build_and_again_when_edited(tmp_path: Path) -> None:
    (tmp_path / "main.html").write_text("<p>{{ greeting }}, {{ name | upper }}</p>", encoding="utf-8")
    cache = TemplateCache()
    # A new environment per build, as MkDocs makes (and static-i18n, per language).
    envs = [_Counting(loader=FileSystemLoader(str(tmp_path)), bytecode_cache=cache) for _ in range(3)]
    _Counting.compiled = 0
    assert [e.get_template("main.html").render(greeting="hi", name=n) for e, n in zip(envs[:2], "ab", strict=True)] \
        == ["<p>hi, A</p>", "<p>hi, B</p>"]
    assert _Counting.compiled == 1
    (tmp_path / "main.html").write_text("<p>{{ greeting }}!</p>", encoding="utf-8")
    assert envs[2].get_template("main.html").render(greeting="hello") == "<p>hello!</p>"
    assert _Counting.compiled == 2
