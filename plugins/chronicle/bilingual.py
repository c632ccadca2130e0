"""Pages that hold every language in one file (a Chinese paragraph, then its English).

A page is bilingual when its front matter says `languages: [zh, en]` or its path matches a glob
of the plugin's `bilingual:` option. The book serves it in each language it holds as that
language's own page: no fallback notice, no missing translation. Its title in each language is
`title_<lang>` (`title_en`), else the part of `title` or of its first heading in that
language's script, as `中文标题 (English Title)` writes them.

Pure functions of text and front matter: book.py marks the pages, and every question of
which language a reader gets goes through `Book.holds`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .globs import glob_re
from .problems import Problem
from .scanner import heading_plain_text

# CJK ideographs (the unified block, its extensions A-F, the compatibility ones): what makes a
# text Chinese. Kana or Hangul would not: this book's languages are Chinese and English.
_HAN = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef\U00030000-\U0003134f]"

# `中文标题 (English Title)`, with ASCII or full-width parentheses; the part in them holds no
# Han character, the part before them at least one.
_PAIR = re.compile(r"^(?P<han>.*?\S)\s*[(（]\s*(?P<other>[^()（）]*?[^\s()（）])\s*[)）]$")


def has_han(text: str) -> bool:
    return _han().search(text) is not None


@functools.cache
def _han() -> re.Pattern[str]:
    # Compiled when first asked for: a class of that many characters takes 3 ms to compile,
    # which every run paid at import, and most never test a text with it.
    return re.compile(_HAN)


def split_title(text: str) -> tuple[str, str] | None:
    """`中文标题 (English Title)` -> ('中文标题', 'English Title'); None for any other text."""
    m = _PAIR.match(text.strip())
    if m is None or not has_han(m.group("han")) or has_han(m.group("other")):
        return None
    return m.group("han"), m.group("other")


def han_language(languages: Iterable[str]) -> str | None:
    """The language of the book written in Han characters (`zh`, `zh-TW`, ...), if any."""
    return next((lang for lang in languages if lang.lower().split("-")[0].split("_")[0] == "zh"), None)


def titles(data: Mapping[str, Any], heading: str | None, held: Iterable[str], languages: list[str]
           ) -> dict[str, str]:
    """The title of a bilingual page in each language it holds (a language without one is left out)."""
    han = han_language(languages)
    out: dict[str, str] = {}
    for lang in held:
        own = data.get(f"title_{lang}")
        if isinstance(own, str) and own.strip():
            out[lang] = own.strip()
            continue
        for source in (data.get("title"), heading):
            if not isinstance(source, str) or not source.strip():
                continue
            pair = split_title(source)
            out[lang] = source.strip() if pair is None else pair[0] if lang == han else pair[1]
            break
    return out


def matches(globs: Iterable[str], rel: str) -> bool:
    """Whether REL (a path relative to docs_dir) matches one of GLOBS."""
    return any(glob_re(g.strip("/")).match(rel) for g in globs)


def declared(path: str, data: Mapping[str, Any], line: int, *, docs_dir: str, globs: list[str],
             languages: list[str], default: str) -> tuple[frozenset[str], list[Problem]]:
    """The languages other than DEFAULT that the default-language file PATH holds itself (none
    for a page of one language), and what is wrong with its `languages:` (LINE: its line)."""
    value = data.get("languages")
    if value is not None:
        if isinstance(value, str):
            value = [value]
        wrong = not isinstance(value, list) or not all(isinstance(v, str) for v in value)
        unknown = [] if wrong else [v for v in value if v not in languages]
        if wrong or unknown:
            what = f"{', '.join(map(repr, unknown))} {'is' if len(unknown) == 1 else 'are'} not a language " \
                   "of the book" if unknown else f"{str(value)[:40]!s} is not a list of languages"
            return frozenset(), [Problem(
                path, line, 1, "error", "frontmatter-field", f"field 'languages': {what}", "languages",
                f"write the languages the page holds, of {', '.join(languages)}: languages: [{', '.join(languages)}]")]
        return frozenset(v for v in value if v != default), []
    if globs and path.startswith(docs_dir + "/") and matches(globs, path[len(docs_dir) + 1:]):
        return frozenset(lang for lang in languages if lang != default), []
    return frozenset(), []



_H1 = re.compile(r"^#[ \t]+(.*?)(?:[ \t]+#+)?(\s*\{[^{}\n]*\})?[ \t]*$", re.M)


def localize_heading(markdown: str, lang: str, languages: list[str],
                     slugify: Callable[[str, str], str]) -> str:
    """MARKDOWN with its leading `# 中文标题 (English Title)` in LANG alone. The heading keeps
    the id it has in the file (an explicit one, else its whole text's slug, given explicitly):
    the checks know it by that id, in every language, and so do the links to it."""
    m = _H1.search(markdown)
    if m is None or markdown[: m.start()].strip():
        return markdown
    text, attrs = m.group(1), m.group(2) or ""
    pair = split_title(text)
    if pair is None:
        return markdown
    shown = pair[0] if lang == han_language(languages) else pair[1]
    if not re.search(r"\{[^{}]*#", attrs):
        slug = slugify(" ".join(heading_plain_text(text).split()), "-")
        attrs = f" {{#{slug}}}" if not attrs.strip() else attrs.rstrip()[:-1].rstrip() + f" #{slug}}}"
    return markdown[: m.start()] + f"# {shown}{attrs}" + markdown[m.end():]
