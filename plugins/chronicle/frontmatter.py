"""Front matter with positions: every value keeps the line it was written on."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ~10x faster


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """Dates stay text as written: '2019-13-01' must be reported, not crash the loader."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))

_FM_RE = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)

Path_ = tuple[object, ...]


@dataclass
class FrontMatter:
    """Parsed front matter of one file; value positions are found only when a problem needs one."""

    data: dict[str, Any] = field(default_factory=dict)
    raw: str = ""
    body_offset: int = 0
    end_line: int = 1
    error: str = ""
    error_line: int = 1
    _lines: dict[Path_, int] | None = field(default=None, repr=False)

    @property
    def lines(self) -> dict[Path_, int]:
        if self._lines is None:
            self._lines = {}
            if self.raw and not self.error:
                loader = _Loader(self.raw)
                try:
                    node = loader.get_single_node()
                finally:
                    loader.dispose()
                if node is not None:
                    _walk(node, (), self._lines)
        return self._lines

    def key_line(self, name: str) -> int:
        """Line of a top-level field's name."""
        return self.lines.get((name, "__key__")) or self.line_of(name)

    def line_of(self, *path: object) -> int:
        """Line of a value, or of the nearest enclosing value that has one."""
        lines = self.lines
        while path:
            if path in lines:
                return lines[path]
            path = path[:-1]
        return 1


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines[path] = node.start_mark.line + 2  # +1: 1-based; +1: the opening '---'
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                sub = (*path, key.value)
                _walk(value, sub, lines)
                lines[(*sub, "__key__")] = key.start_mark.line + 2
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), lines)


def parse(text: str) -> FrontMatter:
    """Split and parse front matter; never raises on bad YAML (the error is kept)."""
    if not text.startswith("---"):
        return FrontMatter()
    m = _FM_RE.match(text)
    if not m:
        return FrontMatter()
    raw = m.group(1) or ""
    fm = FrontMatter(raw=raw, body_offset=m.end(), end_line=text.count("\n", 0, m.end()) + 1)
    try:
        data = yaml.load(raw, Loader=_Loader)
    except (yaml.YAMLError, ValueError) as exc:
        # The context mark is where the broken construct began (an unclosed '['), which
        # is the line to fix; the problem mark is often just the end of the input.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        fm.error_line = (mark.line + 2) if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        fm.error = f"invalid YAML front matter: {problem}"
        return fm
    if data is None:
        return fm
    if not isinstance(data, dict):
        fm.error = "front matter must be a mapping of fields"
        fm.error_line = 2
        return fm
    fm.data = data
    return fm


def date_text(value: Any) -> str:
    """YAML reads 2019 as an int (dates stay text with our loader); cards mean text."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
