"""The bibliography: one or several files, citations formatted "(Author et al., Year)".

BibTeX is read with pybtex; CSL-JSON, CSL-YAML and Markdown reference pages by bibformats.py,
CSL items as pybtex entries, so that one style formats them all. A reference is HTML made
from a stranger's fields: pybtex's plain style formats it, and our backend (_SafeBackend)
escapes every piece of text and links only a URL that `safe.is_safe_url` allows. Fields
holding a URL of another scheme are recorded with their line (`unsafe`), for the checks to
report; so is every key defined twice, in one file or across files (`duplicates`).
"""

from __future__ import annotations

import bisect
import posixpath
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from . import frontmatter
from .bibformats import (
    MarkdownEntry,
    Read,
    Unsafe,
    inline_html,
    read_csl_json,
    read_csl_yaml,
    read_markdown,
    tier,
    unlatex,
)
from .safe import Markup, escape, is_safe_url

_LINE_RE = re.compile(r"line (\d+)")
_LATEX = re.compile(r"[{}]|\\[a-zA-Z]+\s*|\\.")
# Where a field's value is a URL: `url`, and `\url{...}` / `\href{...}{...}` in any field.
_URL_FIELDS = ("url",)
_URL_COMMAND = re.compile(r"\\(?:url|href)\s*\{([^{}]*)\}")
_ENTRY_START = re.compile(r"^[ \t]*@\w+\s*\{\s*([^,\s]+)\s*,", re.M)


FORMATS = {".bib": "bibtex", ".json": "csl-json", ".yaml": "csl-yaml", ".yml": "csl-yaml",
           ".md": "markdown", ".markdown": "markdown"}


def file_format(rel: str) -> str:
    """The format a bibliography file is read in, from its suffix (BibTeX for any other)."""
    return FORMATS.get(posixpath.splitext(rel)[1].lower(), "bibtex")


@dataclass
class Source:
    """One bibliography file: its keys, their credibility and lines, and what is wrong in it.

    The checks need only these, which the cache keeps (`summary`); the entries, for
    formatting, are read again when the renderer first asks for them."""

    path: str = ""
    format: str = "bibtex"
    tiers: dict[str, int | None] = field(default_factory=dict)  # every key, with its credibility
    key_lines: dict[str, int] = field(default_factory=dict)
    repeated: list[tuple[str, int]] = field(default_factory=list)  # (key, line) defined again in this file
    unsafe: list[Unsafe] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    source: str = ""  # absolute path, to read the entries on demand
    _entries: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def error(self) -> str:
        return self.errors[0][1] if self.errors else ""

    @property
    def error_line(self) -> int:
        return self.errors[0][0] if self.errors else 1

    @property
    def entries(self) -> dict[str, Any]:
        if self._entries is None:
            data = Path(self.source).read_bytes() if self.source else b""
            self._entries = read(self.format, _text(data.decode("utf-8", "replace"))).entries if data else {}
        return self._entries

    def summary(self) -> tuple[Any, ...]:
        return self.format, self.tiers, self.key_lines, self.repeated, self.unsafe, self.errors


@dataclass
class Bibliography:
    """The book's bibliography: one or several files, merged. A key defined twice keeps its
    first definition (`where`) and is reported at the second (`duplicates`)."""

    sources: list[Source] = field(default_factory=list)
    tiers: dict[str, int | None] = field(default_factory=dict)
    where: dict[str, tuple[str, int]] = field(default_factory=dict)  # key -> (file, line)
    # (file, line, key, first file, first line) of every later definition of a key
    duplicates: list[tuple[str, int, str, str, int]] = field(default_factory=list)
    _html: dict[str, Markup] = field(default_factory=dict, repr=False)

    def __contains__(self, key: str) -> bool:
        return key in self.tiers

    @property
    def path(self) -> str:
        return self.sources[0].path if self.sources else ""

    @property
    def files(self) -> list[str]:
        return [s.path for s in self.sources]

    def describe(self) -> str:
        """The files, for a message: "knowledge/references.bib" or "a.bib or b.json"."""
        return " or ".join(self.files) or "the bibliography"

    @property
    def errors(self) -> list[tuple[str, int, str]]:
        return [(s.path, line, message) for s in self.sources for line, message in s.errors]

    @property
    def unsafe(self) -> list[tuple[str, int, int, str, str, str]]:
        return [(s.path, *u) for s in self.sources for u in s.unsafe]

    @cached_property
    def entries(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for s in self.sources:
            for key, entry in s.entries.items():
                if key in self.tiers:
                    out.setdefault(key, entry)
        return out

    def credibility(self, key: str) -> int | None:
        return self.tiers.get(key)

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
                keys.sort(key=lambda k: (_title(self.entries[k]).casefold(), k))
                for i, key in enumerate(keys):
                    out[key] = label + "abcdefghijklmnopqrstuvwxyz"[i % 26]
        return out

    def _label(self, key: str) -> str:
        entry = self.entries[key]
        if isinstance(entry, MarkdownEntry):
            return entry.label
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [_plain(" ".join(p.last_names) or " ".join(p.first_names)) for p in people]
        if not names:
            names = [_plain(entry.fields.get("organization") or entry.fields.get("publisher")
                            or entry.fields.get("institution") or key)]
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
            entry = self.entries[key]
            cached = inline_html(entry.text) if isinstance(entry, MarkdownEntry) else self._format(key, entry)
            self._html[key] = cached
        return cached

    def _format(self, key: str, entry: Any) -> Markup:
        style, backend = self._style
        for candidate in (entry, _as_misc(entry)):
            if candidate is None:
                continue
            try:
                return Markup(style.format_entry(key, candidate).text.render(backend))
            except Exception:
                continue  # a field the type requires is missing: as misc, which requires none
        return escape(self.label(key))


def merge(sources: list[Source]) -> Bibliography:
    """SOURCES as one bibliography, in order: the first definition of a key is the one used."""
    bib = Bibliography(sources=list(sources))
    for s in sources:
        for key, line in s.key_lines.items():
            first = bib.where.get(key)
            if first is not None:
                bib.duplicates.append((s.path, line, key, *first))
                continue
            bib.where[key] = (s.path, line)
            bib.tiers[key] = s.tiers.get(key)
        for key, line in s.repeated:
            first_file, first_line = bib.where.get(key, (s.path, s.key_lines.get(key, line)))
            bib.duplicates.append((s.path, line, key, first_file, first_line))
    bib.duplicates.sort()
    return bib


def _as_misc(entry: Any) -> Any:
    """ENTRY as a @misc (the plain style requires no field of it), its container shown as
    howpublished; None if it is one already."""
    from pybtex.database import Entry

    if entry.type == "misc":
        return None
    fields = dict(entry.fields)
    for name in ("journal", "booktitle", "publisher", "institution", "school"):
        if name in fields:
            fields.setdefault("howpublished", fields[name])
    return Entry("misc", fields=fields, persons=dict(entry.persons))


def _title(entry: Any) -> str:
    if isinstance(entry, MarkdownEntry):
        return entry.title
    return _plain(entry.fields.get("title", ""))


def _backend() -> Any:
    """pybtex's html backend, made safe by construction: the style's text reaches it only as
    strings to escape (format_str) and URLs to link (format_href); tags and symbols are the
    style's own. pybtex escapes no href, and would link `javascript:` or break out of the
    attribute with a '"'."""
    from pybtex.backends.html import Backend

    class _SafeBackend(Backend):  # type: ignore[misc]
        def format_str(self, text: str) -> str:
            return str(escape(unlatex(text)))

        def format_protected(self, text: str) -> str:
            return text  # braces keep a field's case; the reader needs no trace of them

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
    return unlatex(_LATEX.sub("", str(text)).strip())


def _parse(text: str) -> tuple[dict[str, Any], list[str]] | str:
    """pybtex's entries by key and the keys defined again (pybtex refuses the whole file for
    one repeated key: we keep the first and report the next), or the error message."""
    from pybtex.database import BibliographyData
    from pybtex.database.input.bibtex import Parser
    from pybtex.scanner import PybtexError

    repeated: list[str] = []

    class _Data(BibliographyData):  # type: ignore[misc]
        def add_entry(self, key: str, entry: Any) -> None:
            if key in self.entries:
                repeated.append(key)
                return
            super().add_entry(key, entry)

    parser = Parser()
    parser.data = _Data()
    try:
        return dict(parser.parse_string(text).entries), repeated
    except PybtexError as exc:
        return str(exc)


def read_bibtex(text: str) -> Read:
    out = Read()
    parsed = _parse(text)
    if isinstance(parsed, str):
        m = _LINE_RE.search(parsed)
        out.errors.append((int(m.group(1)) if m else 1, f"cannot read the bibliography: {parsed}"))
        return out
    entries, repeated = parsed
    out.entries = entries
    out.tiers = {key: tier(entry.fields.get("credibility")) for key, entry in entries.items()}
    starts: dict[str, tuple[int, int]] = {}
    found = list(_ENTRY_START.finditer(text))
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    occurrences: dict[str, list[int]] = {}
    for i, m in enumerate(found):
        line = bisect.bisect_right(line_starts, m.start())
        out.key_lines.setdefault(m.group(1), line)
        occurrences.setdefault(m.group(1).casefold(), []).append(line)
        starts.setdefault(m.group(1), (m.start(), found[i + 1].start() if i + 1 < len(found) else len(text)))
    seen: dict[str, int] = {}
    for key in repeated:
        n = seen[key.casefold()] = seen.get(key.casefold(), 0) + 1
        lines = occurrences.get(key.casefold(), [])
        out.repeated.append((key, lines[n] if n < len(lines) else 1))
    # A key pybtex took under another case ("Smith" for "smith") is the one it keeps.
    out.key_lines = {key: out.key_lines.get(key, occurrences.get(key.casefold(), [1])[0]) for key in entries}
    out.unsafe = _unsafe_urls(text, line_starts, entries, starts)
    return out


def read(fmt: str, text: str) -> Read:
    """TEXT read as a bibliography of format FMT (see FORMATS)."""
    if fmt == "csl-json":
        return read_csl_json(text)
    if fmt == "csl-yaml":
        return read_csl_yaml(text)
    if fmt == "markdown":
        split = frontmatter.split(text)
        return read_markdown(text, split[1] if split else 0)
    return read_bibtex(text)


def load_file(root: Path, rel: str, summary: Any = None) -> Source:
    """One bibliography file; a missing file is an empty one, a broken one is reported.
    SUMMARY, from the cache for this very file, spares the parsing until something is formatted."""
    path = root / rel
    src = Source(path=rel, format=file_format(rel))
    if not path.is_file():
        return src
    src.source = str(path)
    if summary is not None:
        fmt, tiers, key_lines, repeated, unsafe, errors = summary
        src.format, src.tiers, src.key_lines = fmt, tiers, key_lines
        src.repeated = [tuple(r) for r in repeated]  # type: ignore[misc]
        src.unsafe = [tuple(u) for u in unsafe]  # type: ignore[misc]
        src.errors = [tuple(e) for e in errors]  # type: ignore[misc]
        return src
    data = path.read_bytes()
    try:
        text = _text(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        src.errors = [(data.count(b"\n", 0, exc.start) + 1,
                       f"the bibliography is not UTF-8 text (byte 0x{data[exc.start]:02x} on this line); "
                       "save it as UTF-8")]
        src._entries = {}
        return src
    found = read(src.format, text)
    src._entries = found.entries
    src.tiers, src.key_lines, src.repeated = found.tiers, found.key_lines, found.repeated
    src.unsafe, src.errors = found.unsafe, found.errors
    return src


def _text(text: str) -> str:
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def load(root: Path, rels: str | list[str]) -> Bibliography:
    """The bibliography of the files RELS (one path or several), read without a cache."""
    return merge([load_file(root, rel) for rel in ([rels] if isinstance(rels, str) else rels)])


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
