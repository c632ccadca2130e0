"""`chronicle check --external`: fetch external URLs concurrently, with a timeout.

Off by default: a check that depends on the network is slow and flaky in CI.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from .book import Book
from .problems import Problem

_USER_AGENT = "chronicle-link-check/0.1"


def _status(url: str, timeout: float) -> str | None:
    """None when the URL answers; else why not."""
    for method in ("HEAD", "GET"):  # some servers refuse HEAD
        request = urllib.request.Request(url, method=method, headers={"User-Agent": _USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout):
                return None
        except urllib.error.HTTPError as exc:
            if method == "HEAD" and exc.code in (403, 405, 501):
                continue
            return f"HTTP {exc.code}"
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            return f"unreachable ({reason})"
    return None


def check_external(book: Book, timeout: float = 10.0, workers: int = 16) -> Iterator[Problem]:
    """One problem per reference to an http(s) URL that does not answer."""
    where: dict[str, list[tuple[str, int, int, str]]] = {}
    for doc in book.docs.values():
        for ref in doc.refs:
            kind, written = ref[0], ref[1]
            if kind in ("link", "image", "html-link", "html-image", "refdef") and written.startswith(
                ("http://", "https://")
            ):
                url = written.split("#", 1)[0]
                where.setdefault(url, []).append((doc.path, *doc.position(ref), written))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = dict(zip(where, pool.map(lambda u: _status(u, timeout), where), strict=True))
    for url, why in results.items():
        if why is None:
            continue
        for path, line, col, written in where[url]:
            yield Problem(path, line, col, "error", "external-link", f"'{written}' does not answer: {why}",
                          written, "fix or remove the URL, or check again later")
