"""HTML made from the book's strings, and the URLs it may link to.

A card's fields, a BibTeX entry, a file name or an option is text: it becomes HTML only
through `tag` (or `escape`), which escapes every string it is given and keeps the `Markup`
it built itself, so that a raw string cannot reach a page by accident. A URL is linked
only when a browser would read it as http, https, mailto or a relative reference.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from markupsafe import Markup, escape

__all__ = ["SAFE_SCHEMES", "UNSAFE_URL_HINT", "Markup", "escape", "is_safe_url", "join", "tag", "url_scheme"]

SAFE_SCHEMES = frozenset(("http", "https", "mailto"))
UNSAFE_URL_HINT = "use an http(s) or relative link"

# WHATWG URL parsing: C0 controls and spaces around the URL are dropped, tabs and
# newlines anywhere in it; the scheme is a letter, then letters, digits, '+', '-', '.'.
_AROUND = "".join(map(chr, range(0x21)))
_TAB_NEWLINE = re.compile("[\t\n\r]")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def url_scheme(url: str) -> str:
    """The scheme a browser reads in URL, lower-cased ("" for a relative reference).

    Character references are decoded first: an href `&#106;avascript:` in HTML, or in a
    Markdown link (which Python-Markdown passes through), is `javascript:` to the browser."""
    if "&" in url:
        url = html.unescape(url)
    url = _TAB_NEWLINE.sub("", url.strip(_AROUND))
    m = _SCHEME.match(url)
    return m.group(0)[:-1].lower() if m else ""


def is_safe_url(url: str) -> bool:
    """True for an http, https or mailto URL, or a relative one (a path, '#fragment', '//host')."""
    return url_scheme(url) in _ALLOWED


_ALLOWED = SAFE_SCHEMES | {""}
_URL_ATTRIBUTES = frozenset(("href", "src", "action", "formaction", "xlink:href", "poster", "cite"))


def tag(name: str, *content: str | Markup, **attrs: object) -> Markup:
    """`<name attrs>content</name>`, every string escaped (content and attribute values).

    Attribute names are Python names: `class_` is `class`, `data_lang` is `data-lang`; an
    attribute whose value is None or False is left out, True writes it bare. A URL attribute
    (href, src, ...) with a scheme other than http, https or mailto is left out: the element
    shows its content and links nowhere. A value given as Markup is written as it is."""
    parts = [name]
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        attr = key.rstrip("_").replace("_", "-")
        if value is True:
            parts.append(attr)
            continue
        # A URL given as Markup is one of ours (render.card_url): anything else is checked.
        if attr in _URL_ATTRIBUTES and not isinstance(value, Markup) and not is_safe_url(str(value)):
            continue
        parts.append(f'{attr}="{escape(value)}"')
    return Markup(f"<{' '.join(parts)}>{join('', content)}</{name}>")


def join(sep: str | Markup, items: Iterable[str | Markup]) -> Markup:
    """ITEMS joined by SEP, each escaped unless it is Markup already (SEP is ours: kept as is)."""
    return Markup(sep).join(escape(item) for item in items)
