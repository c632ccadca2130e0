"""A reader's journeys through the built sample book, in Debian's Chromium, at a desktop's and
a phone's width (390×844). On every page a journey opens: no console error, no failed request,
and no request to any host but the site's own (each one is aborted and counted).

Screenshots for a person to look at are written to tests/screenshots/ (git-ignored)."""

# The fixtures are imported from journey_support (conftest.py is not ours to edit), so each
# test's argument of the same name "redefines" them.
# ruff: noqa: F811
from __future__ import annotations

import re

import pytest
from journey_support import CHROMIUM, Reader, browser, reader, site, type_search  # noqa: F401  (fixtures)

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)"),
]

CHAPTER = "02-capabilities/what-gpt2-could-do/"
EMBEDDING = "03-staged-release/too-dangerous-to-release/"  # embeds the card of GPT-2's release
CARD = "knowledge/events/gpt2-release-2019/"
UNTRANSLATED = "knowledge/events/gpt3-release-2020/"  # no English file: the Chinese one under /en/
OTHER = {"zh": "en", "en": "zh"}

# One page of each kind the book publishes.
PAGE_TYPES = {
    "home": "",
    "chapter": EMBEDDING,
    "card": CARD,
    "untranslated card": UNTRANSLATED,
    "concept card": "knowledge/concepts/staged-release/",
    "timeline": "timeline/",
    "concept index": "concepts/",
    "graph": "graph/",
    "search": "",  # the home page with the search open and answering
}
SCREENSHOT_OF = {"home": "home", "chapter": "chapter-embed", "card": "card", "graph": "graph"}


def _switch(reader: Reader, lang: str) -> None:
    """Choose LANG in the header's language menu, as a reader would (a tap opens it on a phone)."""
    page = reader.page
    page.locator(".md-header__option .md-select button, .md-header__option .md-select").first.click()
    page.locator(f'.md-select a[hreflang="{lang}"]').first.click()


def _in_view(reader: Reader, anchor: str) -> bool:
    return reader.page.evaluate(
        "id => { const e = document.getElementById(id); if (!e) return false;"
        " const r = e.getBoundingClientRect(); return window.scrollY > 0 && r.top >= -2 && r.top < innerHeight / 2; }",
        anchor)


def _h1(reader: Reader) -> str:
    return reader.page.locator("article h1").first.inner_text()


def _lang(reader: Reader) -> str:
    return reader.page.evaluate("document.documentElement.lang")


def _search(reader: Reader, query: str) -> list[str]:
    """Type QUERY into Material's search box (opened with its button on a phone); the results'
    page links, best first."""
    page = reader.page
    box = page.locator("input.md-search__input")
    if not box.is_visible():
        page.locator('label.md-header__button[for="__search"]').first.click()
    box.wait_for(state="visible")
    results = type_search(page, query, ".md-search-result__item > .md-search-result__link")
    return [href.split("?")[0] for href in (r.get_attribute("href") or "" for r in results.all())]


@pytest.mark.parametrize("start", ["zh", "en"])
def test_home_to_chapter_to_the_other_language_and_back(reader, start):
    other = OTHER[start]
    reader.open(start)
    home_title = _h1(reader)
    reader.page.locator(f'article a[href$="{CHAPTER}"]').first.click()
    reader.page.wait_for_url(reader.site.at(start, CHAPTER))
    title = _h1(reader)
    assert title != home_title
    # The reader scrolls to a section by its table of contents (the page's own link on a phone).
    reader.page.goto(reader.site.at(start, CHAPTER) + "#results")
    assert _in_view(reader, "results")
    _switch(reader, other)
    reader.page.wait_for_url(reader.site.at(other, CHAPTER) + "#results")
    assert _lang(reader) == other
    assert _h1(reader) != title  # the same chapter, in the other language
    assert _in_view(reader, "results")
    reader.page.go_back()
    reader.page.wait_for_url(reader.site.at(start, CHAPTER) + "#results")
    assert _lang(reader) == start and _h1(reader) == title
    _switch(reader, other)
    reader.page.wait_for_url(reader.site.at(other, CHAPTER) + "#results")
    _switch(reader, start)
    reader.page.wait_for_url(reader.site.at(start, CHAPTER) + "#results")
    assert _in_view(reader, "results")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_id_link_to_a_section_lands_at_the_section(reader, lang):
    # [[01-road-to-gpt2#webtext]] in the second chapter
    reader.open(lang, CHAPTER)
    link = reader.page.locator('article a[href$="01-road-to-gpt2/road-to-gpt2/#webtext"]').first
    link.click()
    reader.page.wait_for_url(reader.site.at(lang, "01-road-to-gpt2/road-to-gpt2/") + "#webtext")
    reader.page.wait_for_timeout(200)
    assert _in_view(reader, "webtext")
    assert _lang(reader) == lang


EMBED = {
    "zh": {"kind": "事件", "title": "GPT-2 发布，完整模型暂不公开", "badge": "关键", "type": "模型发布"},
    "en": {"kind": "Event", "title": "GPT-2 announced, full model withheld", "badge": "Critical",
           "type": "model release"},
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_embed_shows_its_card_in_the_readers_language_and_leads_to_it(reader, lang):
    reader.open(lang, EMBEDDING)
    card = reader.page.locator("article .chronicle-card").first
    card.scroll_into_view_if_needed()
    assert card.is_visible()
    want = EMBED[lang]
    assert card.locator(".chronicle-card__kind").inner_text().strip().lower() == want["kind"].lower()
    assert card.locator(".chronicle-card__title a").inner_text().strip() == want["title"]
    assert card.locator("time").inner_text().strip() == "2019-02-14"
    assert card.locator(".chronicle-badge").inner_text().strip() == want["badge"]
    assert card.locator(".chronicle-card__type").inner_text().strip() == want["type"]
    box = card.bounding_box()
    assert box and box["width"] <= reader.page.viewport_size["width"]
    card.locator(".chronicle-card__title a").click()
    reader.page.wait_for_url(reader.site.at(lang, CARD))
    assert want["title"] in _h1(reader)


SEARCHES = [
    ("zh", "分阶段发布", "knowledge/concepts/staged-release/"),
    ("en", "staged release", "knowledge/concepts/staged-release/"),
    ("en", "WebText", "knowledge/concepts/webtext/"),
]


@pytest.mark.parametrize("lang,query,first", SEARCHES)
def test_search_finds_the_readers_language_first(reader, lang, query, first):
    reader.open(lang)
    found = _search(reader, query)
    assert found, f"nothing found for {query!r}"
    assert found[0] == reader.site.at(lang, first), found[:3]
    other_tree = reader.site.at("en") if lang == "zh" else None
    if other_tree:
        assert not [u for u in found if u.startswith(other_tree)], found
    else:
        assert all(u.startswith(reader.site.at("en")) for u in found), found
    reader.page.locator(".md-search-result__item > .md-search-result__link").first.click()
    # With search.highlight the link carries the query (?h=...) for the page to mark.
    reader.page.wait_for_url(re.compile(re.escape(reader.site.at(lang, first)) + r"(\?.*)?$"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_timeline_lists_events_in_order_each_a_link_to_its_card(reader, lang):
    reader.open(lang, "timeline/")
    items = reader.page.locator(".chronicle-timeline li")
    assert items.count() >= 8
    dates = items.locator("time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    assert dates == sorted(dates) and all(re.fullmatch(r"\d{4}(-\d\d){0,2}", d) for d in dates)
    links = items.locator(":scope > a").evaluate_all("els => els.map(e => e.href)")
    assert len(links) == items.count()
    assert all(u.startswith(reader.site.at(lang, "knowledge/events/")) for u in links), links
    items.nth(2).locator(":scope > a").click()
    reader.page.wait_for_url(links[2])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_graph_is_drawn_and_its_nodes_lead_to_cards(reader, lang):
    reader.open(lang, "graph/")
    svg = reader.page.locator(".chronicle-graph-view svg")
    assert svg.count() == 1 and svg.is_visible()
    nodes = svg.locator("a.chronicle-node")
    assert nodes.count() == 8
    box = nodes.first.bounding_box()
    assert box and box["width"] > 40 and box["height"] > 20  # drawn, not an empty shape
    hrefs = nodes.evaluate_all("els => els.map(e => e.href.baseVal !== undefined ? e.href.baseVal : e.href)")
    assert all("knowledge/events/" in h for h in hrefs), hrefs
    nodes.first.scroll_into_view_if_needed()
    nodes.first.click()
    reader.page.wait_for_url(re.compile(re.escape(reader.site.at(lang, "knowledge/events/")) + r".+/$"))
    assert reader.page.locator(".chronicle-meta").count() == 1  # a card's page


def test_a_fallback_page_says_so_in_english_over_chinese_content(reader):
    reader.open("en", UNTRANSLATED)
    assert _lang(reader) == "en"  # the interface is the reader's
    notice = reader.page.locator(".chronicle-fallback")
    assert notice.is_visible()
    text = notice.inner_text()
    assert "translat" in text.lower() and not re.search(r"[\u4e00-\u9fff]", text), text
    content = reader.page.locator('article [lang="zh"]').first
    assert content.count() == 1 and re.search(r"[\u4e00-\u9fff]", content.inner_text())
    # The notice itself is not inside the Chinese part.
    assert notice.evaluate("e => e.closest('[lang]').lang") == "en"


def _axe_serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    # Colours are judged once they settle: Material fades search results and marks in, and a
    # colour caught halfway is a contrast failure no reader sees.
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')",
                           timeout=10000)
    result = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {node['target']} {node.get('failureSummary', '')[:200]}"
            for v in result.response["violations"] if v["impact"] in ("serious", "critical")
            for node in v["nodes"][:3]]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_each_page_type_is_accessible_and_asks_no_other_host(reader, kind, lang):
    """Every request not to the local server is aborted and recorded by the reader fixture, which
    fails if there was one; axe-core (bundled, offline) finds no serious or critical violation."""
    pytest.importorskip("axe_playwright_python")
    reader.open(lang, PAGE_TYPES[kind])
    assert _lang(reader) == lang
    if kind == "search":
        assert _search(reader, "GPT-2" if lang == "en" else "发布")
    if kind in SCREENSHOT_OF:
        reader.shot(SCREENSHOT_OF[kind], lang)
    problems = _axe_serious(reader.page)
    assert problems == [], "\n".join(problems)
    assert reader.watch.foreign == []
