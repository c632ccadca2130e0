"""The bibliography: BibTeX read with pybtex, citations formatted "(Author et al., Year)".

A reference is HTML made from a stranger's fields: pybtex's plain style formats it, and
our backend (_SafeBackend) escapes every piece of text and links only a URL that
`safe.is_safe_url` allows. Fields holding a URL of another scheme are recorded with
their line (`unsafe`), for the checks to report.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .safe import Markup, escape, is_safe_url

_LINE_RE = re.compile(r"line (\d+)")
_LATEX = re.compile(r"[{}]|\\[a-zA-Z]+\s*|\\.")
# Where a field's value is a URL: `url`, and `\url{...}` / `\href{...}{...}` in any field.
_URL_FIELDS = ("url",)
_URL_COMMAND = re.compile(r"\\(?:url|href)\s*\{([^{}]*)\}")
_ENTRY_START = re.compile(r"^\s*@\w+\s*\{\s*([^,\s]+)\s*,", re.M)


@dataclass
class Bibliography:
    """Keys, credibility tiers and formatted entries of one .bib file.

    The checks need only the keys and tiers, which the cache keeps (`summary`); pybtex's
    entries, for formatting, are parsed when the renderer first asks for them."""

    path: str = ""
    tiers: dict[str, int | None] = field(default_factory=dict)  # every key, with its credibility
    key_lines: dict[str, int] = field(default_factory=dict)
    error: str = ""
    error_line: int = 1
    source: str = ""  # absolute path, to parse the entries on demand
    unsafe: list[tuple[int, int, str, str, str]] = field(default_factory=list)  # (line, col, key, field, url)
    _entries: dict[str, Any] | None = field(default=None, repr=False)
    _html: dict[str, Markup] = field(default_factory=dict, repr=False)

    def __contains__(self, key: str) -> bool:
        return key in self.tiers

    @property
    def entries(self) -> dict[str, Any]:
        if self._entries is None:
            text = Path(self.source).read_bytes().decode("utf-8", "replace") if self.source else ""
            parsed = _parse(text) if text else {}
            self._entries = parsed if isinstance(parsed, dict) else {}
        return self._entries

    def credibility(self, key: str) -> int | None:
        return self.tiers.get(key)

    def summary(self) -> tuple[Any, ...]:
        return self.tiers, self.key_lines, self.error, self.error_line, self.unsafe

    def label(self, key: str) -> str:
        """Author-year label: "Radford et al., 2019", "Vaswani and Shazeer, 2017", "OpenAI, 2019";
        "2019a", "2019b" where two entries would read the same."""
        return self._labels[key]

    @cached_property
    def _labels(self) -> dict[str, str]:
        base = {key: self._label(key) for key in self.entries}
        groups: dict[str, list[str]] = {}
        for key, label in base.items():
            groups.setdefault(label, []).append(key)
        out = dict(base)
        for label, keys in groups.items():
            if len(keys) > 1:
                keys.sort(key=lambda k: (_plain(self.entries[k].fields.get("title", "")).casefold(), k))
                for i, key in enumerate(keys):
                    out[key] = label + "abcdefghijklmnopqrstuvwxyz"[i % 26]
        return out

    def _label(self, key: str) -> str:
        entry = self.entries[key]
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [_plain(" ".join(p.last_names) or " ".join(p.first_names)) for p in people]
        if not names:
            names = [_plain(entry.fields.get("organization") or entry.fields.get("publisher") or key)]
        if len(names) == 1:
            who = names[0]
        elif len(names) == 2:
            who = f"{names[0]} and {names[1]}"
        else:
            who = f"{names[0]} et al."
        year = _plain(entry.fields.get("year", "n.d."))
        return f"{who}, {year}"

    @cached_property
    def _style(self) -> tuple[Any, Any]:
        from pybtex.plugin import find_plugin

        return find_plugin("pybtex.style.formatting", "plain")(), _backend()

    def reference_html(self, key: str) -> Markup:
        """One formatted reference, every field escaped and only safe URLs linked; formatted
        on first use, since a page cites a few entries of a long bibliography."""
        cached = self._html.get(key)
        if cached is None:
            style, backend = self._style
            try:
                cached = Markup(style.format_entry(key, self.entries[key]).text.render(backend))
            except Exception:
                cached = escape(self.label(key))
            self._html[key] = cached
        return cached


def _backend() -> Any:
    """pybtex's html backend, made safe by construction: the style's text reaches it only as
    strings to escape (format_str) and URLs to link (format_href); tags and symbols are the
    style's own. pybtex escapes no href, and would link `javascript:` or break out of the
    attribute with a '"'."""
    from pybtex.backends.html import Backend

    class _SafeBackend(Backend):  # type: ignore[misc]
        def format_str(self, text: str) -> str:
            return str(escape(text))

        @staticmethod
        def format_href(url: str, text: str, external: bool = False) -> str:
            if not text:
                return ""
            if not is_safe_url(url):
                return text  # the URL as text (the checks report it)
            target = ' target="_blank"' if external else ""
            return f'<a href="{escape(url)}"{target}>{text}</a>'

    return _SafeBackend()


def _plain(text: str) -> str:
    return _LATEX.sub("", str(text)).strip()


def _parse(text: str) -> dict[str, Any] | str:
    """pybtex's entries by key, or the error message."""
    from pybtex.database import parse_string
    from pybtex.scanner import PybtexError

    try:
        return dict(parse_string(text, "bibtex").entries)
    except PybtexError as exc:
        return str(exc)


def _tier(entry: Any) -> int | None:
    try:
        return int(str(entry.fields.get("credibility")).strip("{} "))
    except (TypeError, ValueError):
        return None


def load(root: Path, rel: str, summary: Any = None) -> Bibliography:
    """Parse the .bib file; a missing file is an empty bibliography, a broken one is reported.
    SUMMARY, from the cache for this very file, spares pybtex until something is formatted."""
    path = root / rel
    bib = Bibliography(path=rel)
    if not path.is_file():
        return bib
    bib.source = str(path)
    if summary is not None:
        bib.tiers, bib.key_lines, bib.error, bib.error_line = summary[:4]
        bib.unsafe = [tuple(u) for u in summary[4]] if len(summary) > 4 else []  # type: ignore[misc]
        return bib
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bib.error_line = data.count(b"\n", 0, exc.start) + 1
        bib.error = (f"the bibliography is not UTF-8 text (byte 0x{data[exc.start]:02x} on this line); "
                     "save it as UTF-8")
        bib._entries = {}
        return bib
    parsed = _parse(text)
    if isinstance(parsed, str):
        m = _LINE_RE.search(parsed)
        bib.error = f"cannot read the bibliography: {parsed}"
        bib.error_line = int(m.group(1)) if m else 1
        bib._entries = {}
        return bib
    bib._entries = parsed
    bib.tiers = {key: _tier(entry) for key, entry in parsed.items()}
    starts: dict[str, tuple[int, int]] = {}
    found = list(_ENTRY_START.finditer(text))
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    for i, m in enumerate(found):
        bib.key_lines.setdefault(m.group(1), bisect.bisect_right(line_starts, m.start()))
        starts.setdefault(m.group(1), (m.start(), found[i + 1].start() if i + 1 < len(found) else len(text)))
    bib.unsafe = _unsafe_urls(text, line_starts, parsed, starts)
    return bib


def _unsafe_urls(text: str, line_starts: list[int], entries: dict[str, Any],
                 starts: dict[str, tuple[int, int]]) -> list[tuple[int, int, str, str, str]]:
    """(line, column, key, field, url) of every URL in an entry that may not be linked."""
    out = []
    for key, entry in entries.items():
        for name, value in entry.fields.items():
            value = str(value)
            urls = [value] if name.lower() in _URL_FIELDS else []
            urls += _URL_COMMAND.findall(value) if "\\" in value else []
            for url in urls:
                if not is_safe_url(url):
                    at = _field_offset(text, starts.get(key), name)
                    line = bisect.bisect_right(line_starts, at)
                    out.append((line, at - line_starts[line - 1] + 1, key, name, url))
    return sorted(out)


def _field_offset(text: str, span: tuple[int, int] | None, name: str) -> int:
    """Where `NAME =` is in the entry at SPAN (the entry's start if not found)."""
    if span is None:
        return 0
    start, end = span
    m = re.compile(rf"(?:^|[,{{\s])({re.escape(name)})\s*=", re.I).search(text, start, end)
    return m.start(1) if m else start
