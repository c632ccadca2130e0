#!/usr/bin/env python3
"""What a reader's search finds: the top results of fixed queries, typed into Material's search
box in Chromium on the Chinese (`/`) and the English (`/en/`) home page of a built site.

For each query it prints the first results as `URL  tree  script`: the tree is the language
folder the page lies in (`zh` at the root, `en` under /en/), the script what the result's title
is written in (`Han` or `Latin`), so a Chinese page found from /en/ shows either way.

Run (from the project root, after `mkdocs build`)::

    python benchmarks/search_results.py                    # site/, served under /gpt2-book/
    python benchmarks/search_results.py --site site --base /gpt2-book/ --top 5

Needs Playwright and /usr/bin/chromium. Prints figures; never fails on a result.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

QUERIES = ["release", "detection", "staged release", "GPT-2", "分阶段发布", "零样本学习", "检测"]
CHROMIUM = "/usr/bin/chromium"
_HAN = re.compile(r"[\u3400-\u9fff]")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def serve(site: Path, base: str) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve SITE under BASE (as its site_url's path), from a folder holding one symlink."""
    www = Path(tempfile.mkdtemp(prefix="search-www-"))
    target = www / base.strip("/") if base.strip("/") else www
    if base.strip("/"):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(site.resolve())
    else:
        www = site.resolve()
    handler = functools.partial(_Quiet, directory=str(www))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}{base}"


def search(page, query: str, top: int) -> list[tuple[str, str]]:
    """Type QUERY into the search box; the first TOP results as (href, title)."""
    items = page.locator(".md-search-result__item > .md-search-result__link")
    box, meta = page.locator("input.md-search__input"), page.locator(".md-search-result__meta")
    for _attempt in range(10):  # a query typed before the worker has its index gets nothing
        box.fill(query)
        box.press("End")  # Material reads the box on keyup, which fill() does not send
        time.sleep(1)
        said = meta.inner_text()
        if any(ch.isdigit() for ch in said) or "No matching" in said or "没有" in said:
            break
    out = []
    for i in range(min(top, items.count())):
        link = items.nth(i)
        title = link.locator("h1, h2").first.inner_text() if link.locator("h1, h2").count() else ""
        out.append((link.get_attribute("href") or "", title.replace("\u200b", "")))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=Path("site"))
    parser.add_argument("--base", default="/gpt2-book/", help="the path of site_url")
    parser.add_argument("--top", type=int, default=5)
    parser.add_argument("--query", action="append", help="a query (repeat); default: a fixed list")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    server, url = serve(args.site, args.base)
    root = url.rstrip("/") + "/"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            for prefix in ("", "en/"):
                page = browser.new_page()
                page.goto(root + prefix)
                print(f"## on /{prefix}")
                for query in args.query or QUERIES:
                    print(f"### {query}")
                    for n, (href, title) in enumerate(search(page, query, args.top), 1):
                        path = href.split("://", 1)[-1].split("/", 1)[-1]
                        path = "/" + path[len(args.base.strip("/")) + 1:] if args.base.strip("/") else "/" + path
                        tree = "en" if path.startswith("/en/") else "zh"
                        script = "Han" if _HAN.search(title) else "Latin"
                        print(f"{n}. {path}  {tree}  {script}  {title[:50]}")
                page.close()
            browser.close()
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
