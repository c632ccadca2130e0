"""What tests/test_journeys.py needs: the sample book built once, served on localhost, and a
reader's browser tab that records everything that went wrong on every page it opened."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import build, copy_sample_book

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
BASE = "/gpt2-book/"  # the path of the sample book's site_url: the language switcher's links use it
SCREENSHOTS = Path(__file__).parent / "screenshots"  # git-ignored: for a person to look at
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Site:
    folder: Path  # the built site
    origin: str  # http://127.0.0.1:PORT
    url: str  # origin + BASE: the Chinese home page; + "en/" the English one

    def at(self, lang: str, path: str = "") -> str:
        return self.url + ("en/" if lang == "en" else "") + path


def serve(folder: Path, base: str = BASE) -> tuple[http.server.ThreadingHTTPServer, Site]:
    """Serve FOLDER under BASE from a thread (a folder holding one symlink named after BASE)."""
    www = folder.parent / "www"
    www.mkdir(exist_ok=True)
    link = www / base.strip("/")
    if not link.exists():
        link.symlink_to(folder)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(www)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    return server, Site(folder, origin, origin + base)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = copy_sample_book(tmp_path_factory.mktemp("journeys") / "book")
    result = build(root, strict=True)
    assert result.returncode == 0, result.output
    server, served = serve(result.site)
    yield served
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


@dataclass
class Watch:
    """Everything that went wrong in one tab, page by page: requests to any host but the
    site's own (aborted before they leave), console errors, script errors, failed requests."""

    origin: str
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)

    def attach(self, context, page) -> None:
        def route(r) -> None:
            url = r.request.url
            if url.startswith(self.origin + "/") or url.startswith(("data:", "blob:")):
                r.continue_()
            else:
                self.foreign.append(f"{page.url} -> {url}")
                r.abort()

        def console(m) -> None:
            if m.type == "error":
                self.errors.append(f"{page.url}: console: {m.text}")

        def response(r) -> None:
            if r.status >= 400:
                self.errors.append(f"{page.url}: {r.status} {r.url}")

        def failed(r) -> None:
            # An aborted foreign request is counted in self.foreign, not twice; ERR_ABORTED is a
            # request the browser dropped because the reader left the page (a missing file is a
            # 404 response, counted above).
            if r.url.startswith(self.origin + "/") and r.failure != "net::ERR_ABORTED":
                self.errors.append(f"{page.url}: failed {r.url} ({r.failure})")

        context.route("**/*", route)
        page.on("console", console)
        page.on("pageerror", lambda e: self.errors.append(f"{page.url}: script error: {e}"))
        page.on("response", response)
        page.on("requestfailed", failed)
        page.on("framenavigated", lambda f: self.visited.append(f.url) if f == page.main_frame else None)

    def problems(self) -> list[str]:
        return [f"request to another host: {f}" for f in self.foreign] + self.errors


@dataclass
class Reader:
    """A reader's tab: the page, its width's name, the site, and what went wrong so far."""

    page: object
    width: str
    site: Site
    watch: Watch

    @property
    def phone(self) -> bool:
        return self.width == "phone"

    def open(self, lang: str, path: str = "") -> None:
        self.page.goto(self.site.at(lang, path), wait_until="networkidle")

    def shot(self, name: str, lang: str) -> None:
        SCREENSHOTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}-{lang}-{self.width}.png"), full_page=True)


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def reader(request: pytest.FixtureRequest, browser, site: Site) -> Iterator[Reader]:
    """A fresh tab at each width; at the end, nothing may have gone wrong on any page it opened."""
    width, height = WIDTHS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=request.param == "phone",
                                  has_touch=request.param == "phone")
    page = context.new_page()
    watch = Watch(site.origin)
    watch.attach(context, page)
    tab = Reader(page, request.param, site, watch)
    try:
        yield tab
        assert watch.problems() == [], f"on the pages visited ({watch.visited}):\n" + "\n".join(watch.problems())
    finally:
        context.close()


def type_search(page, query: str, results: str = ".md-search-result__item") -> object:
    """Type QUERY into Material's search box, already visible; the locator of RESULTS.

    A query typed before the search worker has loaded its index is answered with nothing and
    not asked again: it is typed again, as a reader would, until the index is there."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.locator("input.md-search__input")
    found = page.locator(results)
    for _attempt in range(16):  # 80 s: the worker loads slowly on a busy machine
        box.fill(query)
        box.press("End")  # Material reads the box on keyup, which fill() does not send
        try:
            found.first.wait_for(timeout=5000)
            break
        except PlaywrightTimeout:
            continue
    return found
