"""What the plugin changes in the pages Material writes, and the script it serves beside them."""

from __future__ import annotations

import json
import re
from pathlib import Path

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

from .l10n import t

_SCRIPT = Path(__file__).parent / "assets" / "chronicle.js"
# Mermaid 11.17.2 (MIT, assets/vendor/mermaid.LICENSE), from npm's `mermaid` package, dist/:
# the major version Material 9 asks unpkg.com for.
MERMAID = Path(__file__).parent / "assets" / "vendor" / "mermaid.min.js"
MERMAID_URL = "assets/vendor/mermaid.min.js"  # where it is served, from the site's root
# An author's own diagram, as Markdown (pymdownx.superfences' fence) and as HTML once rendered.
_MERMAID_FENCE = re.compile(r"^[ \t>]*(?:`{3,}|~{3,})[ \t]*(?:\{[^}\n]*\.)?mermaid\b", re.MULTILINE)
_MERMAID_BLOCK = re.compile(r'<(?:pre|div) class="mermaid"')
_STRINGS = "/*chronicle-strings*/ {}"
_SCRIPT_KEYS = ("scroll_hint",)


def script(languages: list[str]) -> str:
    """chronicle.js with the interface strings it shows, in each of LANGUAGES."""
    strings = {lang: {key: t(lang, key) for key in _SCRIPT_KEYS} for lang in languages}
    # '<' escaped: nothing in a string can end a <script> that inlines the file.
    data = json.dumps(strings, ensure_ascii=False).replace("<", "\\u003c")
    return _SCRIPT.read_text(encoding="utf-8").replace(_STRINGS, data, 1)


class TemplateCache(BytecodeCache):
    """The theme's templates, compiled once for the plugin's life, in memory.

    MkDocs makes a new Jinja environment for every build, and static-i18n one per language:
    each compiled Material's ~70 templates again (a third of a second, every save while
    serving). Jinja keys a bucket by the template's name and the checksum of its source, so an
    edited override is compiled again."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self._code.clear()


# Material's base.html writes one per language (config.extra.alternate), in <head>.
_ALTERNATE = re.compile(r'[ \t]*<link rel="alternate" href="[^"<>]*" hreflang="[^"<>]*">\n?')


def drop_alternate_links(html: str) -> str:
    """The page without the <link rel="alternate" hreflang> tags of its <head>.

    Material's script asks for `sitemap.xml` beside each of them, expecting the root of a
    language, from which it would work out the same page in that language. mkdocs-static-i18n
    makes them the page's own translations (the switcher already leads to the same page), so
    every page asked twice for a sitemap that is not there, and got 404. Search engines get
    the same alternates from static-i18n's sitemap.xml (xhtml:link hreflang), one place
    being enough for them. The language switcher in the header is not touched."""
    end = html.find("</head>")
    if end < 0:
        return html
    return _ALTERNATE.sub("", html[:end]) + html[end:]


def has_mermaid_fence(markdown: str) -> bool:
    """Whether a page's Markdown has a ```mermaid block (so the site must serve Mermaid)."""
    return "mermaid" in markdown and _MERMAID_FENCE.search(markdown) is not None


def serve_mermaid(html: str, url: str) -> str:
    """The page, loading Mermaid from the site itself if it has a diagram to draw.

    Material's script draws `.mermaid` blocks with a global `mermaid` if one is defined, else
    it loads one from unpkg.com: a <script> in <head> defines it first, so no reader's browser
    asks another host (offline, behind a firewall, or where unpkg is blocked). URL is the
    script's path relative to the page."""
    end = html.find("</head>")
    if end < 0 or _MERMAID_BLOCK.search(html, end) is None:
        return html
    return f'{html[:end]}<script src="{url}"></script>\n{html[end:]}'
