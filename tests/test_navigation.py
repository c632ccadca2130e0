"""A book whose mkdocs.yml has no `nav:`: the navigation follows the folders."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from chronicle.navigation import is_private, order_key
from conftest import build, write_book

CARD = """
    ---
    {field}: {id}
    {extra}title: {zh}
    title_en: {en}
    ---
    # {zh}

    {zh}。
    """


def card(field: str, ident: str, zh: str, en: str, extra: str = "") -> str:
    return CARD.format(field=field, id=ident, zh=zh, en=en, extra=extra)


BOOK: dict[str, str] = {
    "manuscript/index.md": "# 欢迎\n\n首页。\n",
    "manuscript/index.en.md": "# Welcome\n\nHome.\n",
    # Folder names sort 1, 10, 2 as text; by their number 1, 2, 10.
    "manuscript/1-origins/index.md": "---\ntitle: 起源篇\n---\n# 起源\n\n这一部分。\n",
    "manuscript/1-origins/index.en.md": "---\ntitle: Origins\n---\n# Origins\n\nThis part.\n",
    "manuscript/1-origins/02-second.md": "# 第二章\n\n只有中文。\n",
    "manuscript/1-origins/01-first.md": "# 第一章\n\n正文。\n",
    "manuscript/1-origins/01-first.en.md": "# Chapter one\n\nText.\n",
    "manuscript/1-origins/_template.md": "# 模板\n\n复制我。\n",
    "manuscript/1-origins/chapter-template.md": "# 章节模板\n\n复制我。\n",
    # A part of one chapter, no index page: the chapter, titled by its first heading.
    "manuscript/2-middle/the-middle.md": "# 中间一章\n\n正文。\n",
    "manuscript/2-middle/the-middle.en.md": "# The middle chapter\n\nText.\n",
    "manuscript/10-end/index.md": "# 终篇\n\n最后一部分。\n",
    "manuscript/10-end/index.en.md": "# The end\n\nThe last part.\n",
    "manuscript/10-end/9-epilogue.md": "# 尾声\n\n正文。\n",
    "manuscript/10-end/9-epilogue.en.md": "# Epilogue\n\nText.\n",
    "manuscript/10-end/10-afterword.md": "# 后记\n\n正文。\n",
    "manuscript/10-end/10-afterword.en.md": "# Afterword\n\nText.\n",
    "manuscript/assets/notes.md": "# 素材说明\n\n图片。\n",
    "manuscript/_drafts/idea.md": "# 草稿\n\n想法。\n",
    # Events by date (the file names sort the other way), concepts by title in each language.
    "knowledge/events/a-release.md": card("event_id", "a-release", "发布", "The release", "date: 2019-02-14\n    "),
    "knowledge/events/b-early.md": card("event_id", "b-early", "早期工作", "Early work", "date: 2018-06\n    "),
    "knowledge/concepts/alpha.md": card("concept_id", "alpha", "语言模型", "Language models"),
    "knowledge/concepts/zeta.md": card("concept_id", "zeta", "注意力", "Attention"),
    "knowledge/references.bib": "",
}

EXPECTED = {
    "zh": [
        (0, "欢迎"),
        (0, "章节"),
        (1, "起源篇"), (2, "起源篇"), (2, "第一章"), (2, "第二章"),
        (1, "中间一章"),
        (1, "终篇"), (2, "终篇"), (2, "尾声"), (2, "后记"),
        (0, "知识库"), (1, "时间线"), (1, "因果图"), (1, "概念索引"),
        (1, "事件"), (2, "早期工作"), (2, "发布"),
        (1, "概念"), (2, "注意力"), (2, "语言模型"),
    ],
    "en": [
        (0, "Welcome"),
        (0, "Chapters"),
        (1, "Origins"), (2, "Origins"), (2, "Chapter one"), (2, "第二章"),  # (no translation: the original)
        (1, "The middle chapter"),
        (1, "The end"), (2, "The end"), (2, "Epilogue"), (2, "Afterword"),
        (0, "Knowledge base"), (1, "Timeline"), (1, "Causal graph"), (1, "Concept index"),
        (1, "Events"), (2, "Early work"), (2, "The release"),
        (1, "Concepts"), (2, "Attention"), (2, "Language models"),
    ],
}


class _Nav(HTMLParser):
    """(depth, title) of every entry of Material's primary navigation, in order: sections by
    their label, pages by their link; the table of contents nested in it left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[tuple[int, str]] = []
        self._stack: list[str] = []  # open tags, with their role
        self._text: str | None = None

    def _inside(self, role: str) -> bool:
        return role in self._stack

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        role = tag
        if tag == "nav" and "md-nav--primary" in classes:
            role = "primary"
        elif tag == "nav" and "md-nav--secondary" in classes:
            role = "toc"
        elif tag in ("a", "label") and "md-nav__link" in classes and dict(attrs).get("for") != "__toc":
            role = "link"  # (the current page's label that opens its table of contents repeats its link)
        if tag in ("br", "img", "input", "meta", "link", "hr"):
            return
        self._stack.append(role)
        if role == "link" and self._inside("primary") and not self._inside("toc"):
            self._text = ""

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag in ("br", "img", "input", "meta", "link", "hr"):
            return
        role = self._stack.pop() if self._stack else ""
        if role == "link" and self._text is not None:
            depth = self._stack.count("ul") - 1
            if self._text.strip():
                self.items.append((depth, " ".join(self._text.split())))
            self._text = None


def nav_of(html: str) -> list[tuple[int, str]]:
    parser = _Nav()
    parser.feed(html)
    return parser.items


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    root = write_book(tmp_path_factory.mktemp("nav") / "book", BOOK)
    result = build(root, strict=True)
    assert result.returncode == 0, result.output
    return result


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_nav_follows_the_folders_by_number_titled_in_the_readers_language(site, lang: str) -> None:
    prefix = "" if lang == "zh" else "en/"
    # The same navigation on every page, from the home page to a card.
    for url in (prefix, prefix + "1-origins/01-first/", prefix + "knowledge/concepts/zeta/"):
        assert nav_of(site.page(url)) == EXPECTED[lang], url


def test_private_files_templates_and_internal_folders_stay_out(site) -> None:
    whole = site.page("")
    for word in ("模板", "章节模板", "素材说明", "草稿", "Assets", "Manuscript", "Knowledge/", "_chronicle",
                 ".site-src", "1 origins", "Origins</"):
        assert word not in "".join(t for _d, t in nav_of(whole)), word
    for gone in ("1-origins/_template", "1-origins/chapter-template", "_drafts/idea"):
        assert not (site.site / gone / "index.html").exists(), gone
        assert not (site.site / "en" / gone / "index.html").exists(), gone


@pytest.mark.parametrize(("path", "private"), [
    ("manuscript/_template.md", True), ("manuscript/a/_x.en.md", True), ("manuscript/_drafts/x.md", True),
    ("manuscript/template.md", True), ("manuscript/TEMPLATE.en.md", True), ("manuscript/chapter-template.md", True),
    ("manuscript/card_template.md", True), ("manuscript/templates-of-power.md", False),
    ("manuscript/01-part/x.md", False), ("manuscript/_images/a.png", False),
])
def test_private_names(path: str, private: bool) -> None:
    assert is_private(path) is private


def test_order_by_number_then_name() -> None:
    names = ["10-end", "b", "2-middle", "index.md", "1-origins", "A", "02-x"]
    assert sorted(names, key=order_key) == ["index.md", "1-origins", "02-x", "2-middle", "10-end", "A", "b"]


def test_strict_reports_every_languages_warnings_and_a_missing_home_page(tmp_path: Path) -> None:
    files = {k: v for k, v in BOOK.items() if not k.startswith("manuscript/index")}
    files["manuscript/2-middle/the-middle.md"] = "# 中间一章\n\n[a](nope-1.md) [b](nope-2.md) [c](nope-3.md)\n"
    result = build(write_book(tmp_path / "book", files), strict=True)
    assert result.returncode != 0
    warnings = [line for line in result.output.splitlines() if line.startswith("WARNING")]
    # Three broken links and no home page, from the checks; and static-i18n's own word on the
    # home page, once per language: the last one in the English pass, which used to abort
    # the build on its own, saying "Aborted with 1 warnings".
    assert sum("missing-file" in w for w in warnings) == 3
    home = [w for w in warnings if "no-home-page" in w]
    assert len(home) == 1 and "manuscript/index.md:1:1" in home[0] and "manuscript/index.en.md" in home[0]
    assert any("homepage for locale 'en'" in w for w in warnings)
    counted = re.search(r"Aborted with (\d+) warnings in strict mode", result.output)
    assert counted is not None, result.output
    assert int(counted.group(1)) == len(warnings) >= 6


def test_without_strict_the_same_book_builds(tmp_path: Path) -> None:
    files = {k: v for k, v in BOOK.items() if not k.startswith("manuscript/index")}
    result = build(write_book(tmp_path / "book", files), strict=False)
    assert result.returncode == 0, result.output
    assert "no-home-page" in result.output


def _many_events(n: int) -> dict[str, str]:
    files = {"manuscript/index.md": "# 首页\n\n正文。\n", "manuscript/index.en.md": "# Home\n\nText.\n",
             "knowledge/references.bib": ""}
    for i in range(n):
        year = 2017 + i % 3
        files[f"knowledge/events/e{i:03}.md"] = card("event_id", f"e{i:03}", f"事件{i}", f"Event {i}",
                                                     f"date: {year}-01-{1 + i // 3:02}\n    ")
    return files


@pytest.mark.parametrize("explicit", [False, True], ids=["no nav", "nav lists the folder"])
def test_many_events_are_listed_by_year(tmp_path: Path, explicit: bool) -> None:
    """Over GROUP_EVENTS_OVER events: a section a year, in order; a card's page carries its own
    year's events, not every event (navigation.prune)."""
    from chronicle.navigation import GROUP_EVENTS_OVER

    files = _many_events(GROUP_EVENTS_OVER + 5)
    root = write_book(tmp_path / "b", files)
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    if explicit:
        text += "nav:\n  - index.md\n  - 事件: ../knowledge/events/\n"
    config.write_text(text.replace("  name: material\n", "  name: material\n  features: [navigation.prune]\n"),
                      encoding="utf-8")
    assert "navigation.prune" in config.read_text(encoding="utf-8")
    result = build(root, strict=True)
    assert result.returncode == 0, result.output
    for prefix in ("", "en/"):
        items = nav_of(result.page(prefix + "knowledge/events/e001/"))
        labels = [text for _depth, text in items]
        years = [label for label in labels if label in ("2017", "2018", "2019")]
        assert years == ["2017", "2018", "2019"], labels
        # e001 is of 2018: its year's events are listed, the other years' are not.
        assert f"{'事件' if not prefix else 'Event '}4" in labels  # 2018
        assert f"{'事件' if not prefix else 'Event '}3" not in labels  # 2017


def test_few_events_stay_one_list(tmp_path: Path) -> None:
    from chronicle.navigation import GROUP_EVENTS_OVER

    root = write_book(tmp_path / "b", _many_events(GROUP_EVENTS_OVER - 5))
    result = build(root, strict=True)
    assert result.returncode == 0, result.output
    labels = [text for _depth, text in nav_of(result.page("knowledge/events/e001/"))]
    assert "2018" not in labels and "事件3" in labels
