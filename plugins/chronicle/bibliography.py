"""The bibliography: BibTeX read with pybtex, citations formatted "(Author et al., Year)"."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

_LINE_RE = re.compile(r"line (\d+)")
_LATEX = re.compile(r"[{}]|\\[a-zA-Z]+\s*|\\.")


@dataclass
class Bibliography:
    """Keys, credibility tiers and formatted entries of one .bib file."""

    path: str = ""
    entries: dict[str, Any] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)
    error: str = ""
    error_line: int = 1
    _html: dict[str, str] = field(default_factory=dict, repr=False)

    def __contains__(self, key: str) -> bool:
        return key in self.entries

    def credibility(self, key: str) -> int | None:
        entry = self.entries.get(key)
        if entry is None:
            return None
        raw = entry.fields.get("credibility")
        try:
            return int(str(raw).strip("{} "))
        except (TypeError, ValueError):
            return None

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
        from pybtex.backends.html import Backend
        from pybtex.plugin import find_plugin

        return find_plugin("pybtex.style.formatting", "plain")(), Backend()

    def reference_html(self, key: str) -> str:
        """One formatted, HTML-escaped reference (pybtex's html backend escapes field text);
        formatted on first use, since a page cites a few entries of a long bibliography."""
        cached = self._html.get(key)
        if cached is None:
            style, backend = self._style
            try:
                cached = style.format_entry(key, self.entries[key]).text.render(backend)
            except Exception:
                cached = html.escape(self.label(key))
            self._html[key] = cached
        return cached


def _plain(text: str) -> str:
    return _LATEX.sub("", str(text)).strip()


def load(root: Path, rel: str) -> Bibliography:
    """Parse the .bib file; a missing file is an empty bibliography, a broken one is reported."""
    path = root / rel
    bib = Bibliography(path=rel)
    if not path.is_file():
        return bib
    text = path.read_text(encoding="utf-8")
    from pybtex.database import parse_string
    from pybtex.scanner import PybtexError

    try:
        data = parse_string(text, "bibtex")
    except PybtexError as exc:
        msg = str(exc)
        m = _LINE_RE.search(msg)
        bib.error = f"cannot read the bibliography: {msg}"
        bib.error_line = int(m.group(1)) if m else 1
        return bib
    bib.entries = dict(data.entries)
    for m in re.finditer(r"^\s*@\w+\s*\{\s*([^,\s]+)\s*,", text, re.M):
        bib.key_lines.setdefault(m.group(1), text.count("\n", 0, m.start()) + 1)
    return bib
