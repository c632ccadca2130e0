"""The published site in a real browser (Debian's Chromium driven by Playwright)."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import HOSTILE_TITLE, build, build_hostile_book, copy_sample_book, write_book
from journey_support import type_search

CHROMIUM = Path("/usr/bin/chromium")
playwright = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)"),
]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def _serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


_SITES: dict[str, Path] = {}  # book_url -> the folder of the site it serves


@pytest.fixture(scope="module")
def book_url(tmp_path_factory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("browser") / "book"
    copy_sample_book(root)
    result = build(root, strict=True)
    assert result.returncode == 0, result.output
    # mkdocs.yml's site_url puts the book under /gpt2-book/; the language switcher uses it.
    www = root / "www"
    www.mkdir()
    (www / "gpt2-book").symlink_to(result.site)
    server, url = _serve(www)
    _SITES[url + "/gpt2-book/"] = result.site
    yield url + "/gpt2-book/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


def test_language_switch_keeps_the_reader_on_the_same_page(page, book_url):
    page.goto(book_url + "03-staged-release/too-dangerous-to-release/")
    assert "太危险" in page.locator("h1").first.inner_text()
    page.locator(".md-header__option .md-select").first.hover()
    page.locator('a[hreflang="en"]').first.click()
    page.wait_for_url("**/en/03-staged-release/too-dangerous-to-release/")
    assert "dangerous" in page.locator("h1").first.inner_text().lower()
    page.locator(".md-header__option .md-select").first.hover()
    page.locator('a[hreflang="zh"]').first.click()
    page.wait_for_url("**/gpt2-book/03-staged-release/too-dangerous-to-release/")


def _switch(page, lang: str) -> None:
    page.locator(".md-header__option .md-select").first.hover()
    page.locator(f'.md-select a[hreflang="{lang}"]').first.click()


def _in_view(page, anchor: str) -> bool:
    return page.evaluate("id => { const r = document.getElementById(id).getBoundingClientRect();"
                         " return window.scrollY > 0 && r.top >= -2 && r.top < innerHeight / 2; }", anchor)


def test_language_switch_keeps_the_section(page, book_url):
    chapter = "02-capabilities/what-gpt2-could-do/"
    page.goto(book_url + chapter + "#results")
    _switch(page, "en")
    page.wait_for_url("**/en/" + chapter + "#results")
    assert _in_view(page, "results")
    # A section reached inside the page (a link of its table of contents): that one.
    page.locator('a.md-nav__link[href="#scaling"]:visible').first.click()
    page.wait_for_url("**#scaling")
    _switch(page, "zh")
    page.wait_for_url("**/gpt2-book/" + chapter + "#scaling")
    assert _in_view(page, "scaling")
    # A page opened without a section opens the other language's at its top.
    page.goto(book_url + chapter)
    _switch(page, "en")
    page.wait_for_url("**/en/" + chapter)
    assert page.evaluate("window.scrollY") == 0


TABLES_PAGE = """\
# Tables

| a | b |
|---|---|
| 1 | 2 |

| {cells} |
|{rule}
| {cells} |
"""


@pytest.fixture(scope="module")
def tables_url(tmp_path_factory) -> Iterator[str]:
    cells = " | ".join(f"column{i}-withalongname" for i in range(10))
    files = {"manuscript/index.md": "# 首页\n", "manuscript/tables.md": TABLES_PAGE.format(
        cells=cells, rule="---|" * 10), "knowledge/references.bib": ""}
    root = write_book(tmp_path_factory.mktemp("tables") / "book", files)
    result = build(root, strict=True)
    assert result.returncode == 0, result.output
    server, url = _serve(result.site)
    yield url + "/"
    server.shutdown()
    server.server_close()


def test_a_wide_table_says_it_scrolls_on_a_phone(browser, tables_url):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    pg = context.new_page()
    try:
        for prefix, hint in (("", "左右滑动"), ("en/", "Scroll")):
            pg.goto(tables_url + prefix + "tables/")
            narrow, wide = pg.locator(".md-typeset__scrollwrap").all()
            assert wide.evaluate("e => e.scrollWidth > e.clientWidth")
            cue = pg.locator(".chronicle-scroll-hint")
            assert cue.count() == 1 and cue.is_visible() and hint in cue.inner_text()
            assert wide.evaluate("e => e.previousElementSibling.classList.contains('chronicle-scroll-hint')")
            assert wide.evaluate("e => getComputedStyle(e).maskImage || getComputedStyle(e).webkitMaskImage") != "none"
            assert not narrow.evaluate("e => e.classList.contains('chronicle-scroll')")
            before = "e => e.previousElementSibling?.classList.contains('chronicle-scroll-hint')"
            assert narrow.evaluate(before) is not True
            # Scrolled to its end: the fade moves to the edge that now has more.
            wide.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
            pg.wait_for_function("() => document.querySelectorAll('.chronicle-scroll--left').length === 1")
            assert not wide.evaluate("e => e.classList.contains('chronicle-scroll--right')")
    finally:
        context.close()


def test_no_request_fails_on_any_page(browser, book_url):
    """Every file a page asks for is there (Material asked for a sitemap.xml beside each)."""
    context = browser.new_context()
    pg = context.new_page()
    failed: list[str] = []
    pg.on("response", lambda r: failed.append(f"{pg.url}: {r.status} {r.url}") if r.status >= 400 else None)
    pg.on("requestfailed", lambda r: failed.append(f"{pg.url}: failed {r.url}"))
    try:
        for lang in ("", "en/"):
            for path in ("", "03-staged-release/too-dangerous-to-release/", "knowledge/events/gpt2-release-2019/",
                         "knowledge/events/gpt3-release-2020/", "concepts/", "graph/"):
                pg.goto(book_url + lang + path, wait_until="networkidle")
        assert failed == []
    finally:
        context.close()


def test_embedded_card_is_a_visible_box_in_each_language(page, book_url, tmp_path):
    for prefix, title in (("", "GPT-2 发布"), ("en/", "GPT-2")):
        page.goto(book_url + prefix + "03-staged-release/too-dangerous-to-release/")
        card = page.locator(".chronicle-card").first
        card.scroll_into_view_if_needed()
        box = card.bounding_box()
        assert box and box["height"] > 80 and box["width"] > 300
        assert title.split()[0] in card.locator(".chronicle-card__title").inner_text()
        border = card.evaluate("e => getComputedStyle(e).borderLeftColor")
        assert border == "rgb(198, 40, 40)"  # critical: the stylesheet is loaded
        card.screenshot(path=str(tmp_path / f"card-{prefix.strip('/') or 'zh'}.png"))


@pytest.mark.parametrize("prefix,query,expect", [
    ("", "分阶段发布", "分阶段"),
    ("", "零样本", "零"),
    ("en/", "staged release", "Staged"),
    ("en/", "WebText", "WebText"),
    ("en/", "dangerous", "Too Dangerous"),  # a word the stemmer would change: found as typed
])
def test_search_finds_pages_in_both_languages(page, book_url, prefix, query, expect):
    page.goto(book_url + prefix)
    results = type_search(page, query)
    texts = " ".join(results.all_inner_texts()).replace("\u200b", "")
    assert expect.lower() in texts.lower()


def _search(page, query: str) -> list[str]:
    """Type QUERY into Material's search box; the results' page links, best first."""
    results = type_search(page, query, ".md-search-result__item > .md-search-result__link")
    return [href.split("?")[0] for href in (r.get_attribute("href") or "" for r in results.all())]


def test_search_answers_in_the_readers_language(page, book_url):
    page.goto(book_url + "en/")
    found = _search(page, "release")
    assert found and all(url.startswith(book_url + "en/") for url in found), found
    assert {book_url + "en/knowledge/concepts/staged-release/",
            book_url + "en/knowledge/events/gpt2-1-5b-2019/"} & set(found[:3]), found
    page.goto(book_url)
    found = _search(page, "分阶段发布")
    assert found and not [url for url in found if url.startswith(book_url + "en/")], found
    assert found[0] == book_url + "knowledge/concepts/staged-release/", found


@pytest.mark.parametrize("query", ["分阶段发布", "发布"])
def test_a_chinese_query_is_highlighted_whole_on_the_page_opened(page, book_url, query):
    # Material's segmenter dropped a query's last character (search.fix_segmenter): the result
    # links carried ?h=发 for 发布, and the page opened marked every 发.
    page.goto(book_url)
    results = type_search(page, query, ".md-search-result__item > .md-search-result__link")
    highlights = {unquote(href.partition("h=")[2].split("#")[0])
                  for href in (r.get_attribute("href") or "" for r in results.all()[:5])}
    assert query in highlights, highlights
    assert not any(h and len(h) == 1 for h in highlights), highlights


def test_untranslated_page_shows_the_notice_and_marked_links(page, book_url):
    page.goto(book_url + "en/knowledge/events/gpt3-release-2020/")
    assert page.locator(".chronicle-fallback").is_visible()
    page.goto(book_url + "en/04-after-release/after-the-release/")
    marked = page.locator("a.chronicle-untranslated").first
    after = marked.evaluate("e => getComputedStyle(e, '::after').content")
    assert "Chinese only" in after  # in the reader's language, not the switcher's "中文"


def test_hostile_card_title_runs_no_script(browser, tmp_path):
    result = build_hostile_book(tmp_path / "b")
    server, url = _serve(result.site)
    dialogs: list[str] = []
    context = browser.new_context()
    pg = context.new_page()
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        for path in ("01-intro/intro/", "knowledge/events/evil/", "timeline/", "en/knowledge/events/evil/",
                     "graph/", "02-evil/links/"):
            pg.goto(f"{url}/{path}")
            pg.wait_for_timeout(300)
        assert dialogs == []
        pg.goto(f"{url}/01-intro/intro/")
        titles = pg.locator(".chronicle-card__title").all_inner_texts()
        assert any(HOSTILE_TITLE in title for title in titles), titles
    finally:
        context.close()
        server.shutdown()
        server.server_close()


# One page of each kind the book publishes; 404.html is the site's one "not found" page (in
# the default language: mkdocs-static-i18n builds no other).
PAGE_TYPES = {
    "home": "",
    "chapter": "03-staged-release/too-dangerous-to-release/",
    "event card": "knowledge/events/gpt2-release-2019/",
    "untranslated card": "knowledge/events/gpt3-release-2020/",
    "concept card": "knowledge/concepts/staged-release/",
    "timeline": "timeline/",
    "concept index": "concepts/",
    "causal graph": "graph/",
    "translation status": "translations/",
}
SCREENSHOTS = Path(__file__).parent / "screenshots"  # git-ignored: for a person to look at


def _watch(context, page, origin: str) -> tuple[list[str], list[str]]:
    """Abort every request to a host other than ORIGIN; (foreign requests, console errors)."""
    foreign: list[str] = []
    errors: list[str] = []

    def route(r) -> None:
        url = r.request.url
        if url.startswith(origin + "/") or url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            foreign.append(f"{page.url} -> {url}")
            r.abort()

    def response(r) -> None:
        if r.status >= 400:
            errors.append(f"{page.url}: {r.status} {r.url}")

    context.route("**/*", route)
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}")
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    page.on("response", response)
    page.on("requestfailed", lambda r: errors.append(f"{page.url}: failed {r.url}")
            if r.url.startswith(origin + "/") else None)
    return foreign, errors


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)])
def test_no_page_asks_another_host(browser, book_url, width, height):
    origin = book_url.split("/gpt2-book/")[0]
    context = browser.new_context(viewport={"width": width, "height": height})
    pg = context.new_page()
    foreign, errors = _watch(context, pg, origin)
    try:
        visited = []
        for lang in ("", "en/"):
            for path in PAGE_TYPES.values():
                pg.goto(book_url + lang + path, wait_until="networkidle")
                visited.append(pg.url)
            # The search worker loads its index and language support when a reader searches.
            if width > 400:
                results = pg.locator(".md-search-result__item")
                for _attempt in range(8):  # typed again until the worker has its index (see above)
                    pg.fill("input.md-search__input", "")
                    pg.locator("input.md-search__input").click()
                    pg.keyboard.type("release")
                    try:
                        results.first.wait_for(timeout=5000)
                        break
                    except playwright.TimeoutError:
                        continue
                assert results.count()
        pg.goto(book_url + "404.html", wait_until="networkidle")
        assert "404" in pg.locator("article").inner_text()
        assert len(visited) == 2 * len(PAGE_TYPES)
        assert foreign == []
        assert errors == []
        # What the fonts are: the system's, named in chronicle.css, none fetched.
        family = pg.evaluate("getComputedStyle(document.body).fontFamily")
        assert "Noto Sans CJK SC" in family and "Roboto" not in family.split(",")[0]
    finally:
        context.close()


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)])
def test_the_causal_graph_is_drawn_legible_and_its_nodes_lead_to_cards(browser, book_url, width, height):
    SCREENSHOTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": height})
    pg = context.new_page()
    try:
        for lang in ("zh", "en"):
            pg.goto(book_url + ("en/" if lang == "en" else "") + "graph/")
            view = pg.locator(".chronicle-graph-view")
            svg = view.locator("svg")
            assert svg.count() == 1 and pg.locator("pre.mermaid, .mermaid").count() == 0
            nodes = svg.locator("a.chronicle-node")
            assert nodes.count() == 8
            # Drawn at its own size, never scaled down: text of 12 px and more at 100 % zoom.
            box = svg.bounding_box()
            assert box and abs(box["width"] - float(svg.get_attribute("width"))) < 1
            sizes = svg.locator("tspan").evaluate_all("els => els.map(e => parseFloat(getComputedStyle(e).fontSize))")
            assert sizes and min(sizes) >= 12
            if width < 400:  # wider than a phone: it scrolls in its box, the page does not
                assert view.evaluate("e => e.scrollWidth > e.clientWidth")
                assert pg.evaluate("document.documentElement.scrollWidth") <= width
            view.screenshot(path=str(SCREENSHOTS / f"graph-{lang}-{width}.png"))
            pg.screenshot(path=str(SCREENSHOTS / f"graph-page-{lang}-{width}.png"))
            title = nodes.first.locator("title").text_content() or ""
            nodes.first.click()
            pg.wait_for_url("**/knowledge/events/**")
            assert title.split(" ", 1)[1] in pg.locator("h1").first.inner_text()
            assert ("/en/" in pg.url) == (lang == "en")
            # The card's own neighbourhood, likewise drawn, its focus marked.
            pg.goto(book_url + ("en/" if lang == "en" else "") + "knowledge/events/gpt2-release-2019/")
            near = pg.locator("#chronicle-neighbourhood")
            assert near.locator("a.chronicle-node--focus").count() == 1
            assert near.locator("a.chronicle-node").count() >= 2
            near.screenshot(path=str(SCREENSHOTS / f"neighbourhood-{lang}-{width}.png"))
    finally:
        context.close()


# What a reader can follow in the navigation of a page: every section opened (clicking each
# of its toggles), then every link of the primary nav that shows (not its table of contents).
_NAV_LINKS = """() => {
    for (const t of document.querySelectorAll('nav.md-nav--primary input.md-nav__toggle')) {
        if (!t.checked) t.click();
    }
    return [...document.querySelectorAll('nav.md-nav--primary a.md-nav__link[href]')]
        .filter(a => !a.closest('.md-nav--secondary') && a.checkVisibility())
        .map(a => a.href.split('#')[0]);
}"""


@pytest.fixture(scope="module")
def nav_book_url(tmp_path_factory) -> Iterator[str]:
    """The book of test_navigation.py (no nav: in mkdocs.yml), with the sample book's features."""
    from conftest import MKDOCS_YML, write_book
    from test_navigation import BOOK

    features = "  features: [navigation.sections, navigation.prune]\n"
    yml = MKDOCS_YML.replace("  name: material\n", "  name: material\n" + features)
    root = write_book(tmp_path_factory.mktemp("browser-nav") / "book", BOOK, yml)
    result = build(root, strict=True)
    assert result.returncode == 0, result.output
    server, url = _serve(result.site)
    _SITES[url + "/"] = result.site
    yield url + "/"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("which", ["sample book", "book without nav"])
def test_every_page_in_the_nav_is_reached_from_the_home_page(page, request, which, lang):
    """With navigation.prune each page carries only the open branch of the nav: the reader
    must still reach every page of the book by following the nav, from the home page."""
    book_url = request.getfixturevalue("book_url" if which == "sample book" else "nav_book_url")
    prefix = "" if lang == "zh" else "en/"
    start = book_url + prefix
    seen, queue = {start}, [start]
    while queue:
        url = queue.pop(0)
        page.goto(url)
        for link in page.evaluate(_NAV_LINKS):
            if link.startswith(start) and not (lang == "zh" and link.startswith(book_url + "en/")) \
                    and link not in seen:
                seen.add(link)
                queue.append(link)
    site = _SITES[book_url]
    built = {p.parent.relative_to(site).as_posix() + "/" for p in site.rglob("index.html")}
    built = {"" if p == "./" else p for p in built}
    # The translation status page is for authors, and kept out of the nav (see the README); a
    # note in an assets folder is published, not listed.
    expected = {book_url + p for p in built if p.startswith(prefix) and not (lang == "zh" and p.startswith("en/"))
                and p not in (prefix + "translations/", prefix + "assets/notes/")}
    assert len(expected) >= 15
    assert seen == expected


MERMAID_PAGE = """# 流程

```mermaid
graph LR
  A[起草] --> B[发布]
```
"""


@pytest.fixture(scope="module")
def mermaid_url(tmp_path_factory) -> Iterator[str]:
    files = {"manuscript/index.md": "# 首页\n", "manuscript/flow.md": MERMAID_PAGE,
             "manuscript/flow.en.md": MERMAID_PAGE.replace("流程", "Flow"), "knowledge/references.bib": ""}
    root = write_book(tmp_path_factory.mktemp("mermaid") / "book", files)
    result = build(root, strict=True)
    assert result.returncode == 0, result.output
    server, url = _serve(result.site)
    yield url + "/"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("path", ["flow/", "en/flow/"])
def test_an_authors_mermaid_diagram_is_drawn_without_another_host(browser, mermaid_url, path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    foreign, errors = _watch(context, pg, mermaid_url.rstrip("/"))
    try:
        pg.goto(mermaid_url + path, wait_until="networkidle")
        # Material replaces the block with a drawing in a closed shadow root: its host <div> shows.
        pg.wait_for_function("() => document.querySelector('div.mermaid') !== null", timeout=20000)
        assert pg.evaluate("() => typeof mermaid") == "object"
        box = pg.locator("div.mermaid").bounding_box()
        assert box is not None and box["height"] > 20
        assert foreign == []
        assert errors == []
    finally:
        context.close()
