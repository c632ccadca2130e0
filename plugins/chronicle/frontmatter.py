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

# A block between a first line `---` and the next line `---` or `...`. The closing line is
# searched for from newline to newline (a lazy `.*?` would try it at every character).
_FM_OPEN = re.compile(r"---[ \t]*\r?\n")
_FM_CLOSE = re.compile(r"\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)")


def split(text: str) -> tuple[str, int] | None:
    """The front matter's YAML (up to and with its last newline) and the offset of the body,
    or None if TEXT does not open with a front matter block."""
    opening = _FM_OPEN.match(text)
    if opening is None:
        return None
    start = opening.end()
    closing = _FM_CLOSE.search(text, start)
    if closing is None:
        # As MkDocs reads it, a closing line right after the opening one is an empty block
        # only if no later line closes one.
        closing = _FM_CLOSE.match(text, start - 1)
        if closing is None:
            return None
        return "", closing.end()
    return text[start:closing.start() + 1], closing.end()


# The subset of YAML that front matter is nearly always written in: `key: value` lines, flow
# lists, block lists (of scalars or of small maps) and one level of nested map. Read line by
# line it costs a tenth of what libyaml through PyYAML costs (the per-node Python work of its
# constructors, ~130 us a document: most of a cold check of a big book). PyYAML stays the
# parser: `_simple` gives up (None) on anything else, and the tests hold its answers equal
# to PyYAML's on every input it accepts.
_ENTRY = re.compile(r"([A-Za-z_][\w.-]{0,127}):(?:[ ]+(.*?))?[ ]*")
_ITEM = re.compile(r"( *)-(?:[ ]+(.*?))?[ ]*")
_DOUBLE = re.compile(r'"([^"\\]*)"')
_SINGLE = re.compile(r"'((?:[^']|'')*)'")
_FLOW_ITEM = re.compile(r"""[ ]*("[^"\\]*"|'(?:[^']|'')*'|[^,\[\]{}#"' ][^,\[\]{}#]*?)[ ]*(?:,|\Z)""")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE
_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
# PyYAML's implicit resolvers by first character, tags shortened ("tag:yaml.org,2002:int" -> "int").
_RESOLVERS = {
    first: [(tag.rpartition(":")[2], regexp) for tag, regexp in resolvers]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}
_DECLINE = object()

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


_MEMO: dict[tuple[str, bool], Any] = {}


def _plain(value: str, flow: bool) -> Any:
    """A plain scalar as PyYAML's SafeConstructor (with dates kept as text) makes it. Short
    ones repeat across cards (tags, ids, citation keys, enum values): they are remembered."""
    if len(value) > 64:
        return _resolve(value, flow)
    key = (value, flow)
    found = _MEMO.get(key, _MEMO)
    if found is _MEMO:
        if len(_MEMO) > 100_000:
            _MEMO.clear()
        found = _MEMO[key] = _resolve(value, flow)
    return found


def _resolve(value: str, flow: bool) -> Any:
    first = value[0]
    if (first in _INDICATORS and not (first == "-" and value[1:2].isdigit())) or ": " in value:
        return _DECLINE
    if " #" in value or value[-1] == ":":
        return _DECLINE
    if flow and ("," in value or ":" in value or "[" in value or "]" in value or "{" in value or "}" in value):
        return _DECLINE
    resolvers = _RESOLVERS.get(first)
    if resolvers is None:
        return value
    tag = "str"
    for candidate, regexp in resolvers:
        if regexp.match(value):
            tag = candidate
            break
    if tag == "str" or tag == "timestamp":
        return value
    if tag == "bool":
        return _BOOLS[value.lower()]
    if tag == "null":
        return None
    if tag == "int" and _INT.fullmatch(value):
        return int(value)
    return _DECLINE  # floats, octal, sexagesimal, merge keys: PyYAML knows best


def _value(value: str, flow: bool = False) -> Any:
    """A scalar, or (not in a flow list) a flow list of scalars."""
    first = value[0]
    if first == '"':
        m = _DOUBLE.fullmatch(value)
        return m.group(1) if m else _DECLINE
    if first == "'":
        m = _SINGLE.fullmatch(value)
        return m.group(1).replace("''", "'") if m else _DECLINE
    if first != "[" or flow:
        return _plain(value, flow)
    if value[-1] != "]":
        return _DECLINE
    inner = value[1:-1]
    if not inner.strip():
        return []
    items: list[Any] = []
    if '"' not in inner and "'" not in inner and "#" not in inner:
        for part in inner.split(","):  # a list of plain scalars, the usual case
            part = part.strip(" ")
            item = _plain(part, True) if part else _DECLINE
            if item is _DECLINE:
                return _DECLINE
            items.append(item)
        return items
    pos, end = 0, len(inner)
    while pos < end:
        m = _FLOW_ITEM.match(inner, pos)
        if m is None or m.end() == pos:
            return _DECLINE
        item = _value(m.group(1), True)
        if item is _DECLINE:
            return _DECLINE
        items.append(item)
        pos = m.end()
    return items


_KEY_MEMO: dict[str, Any] = {}


def _key(name: str) -> Any:
    key = _KEY_MEMO.get(name)
    if key is None:
        if len(_KEY_MEMO) > 10_000:  # a long `mkdocs serve` session: keep it bounded
            _KEY_MEMO.clear()
        key = _plain(name, False)
        key = _KEY_MEMO[name] = key if isinstance(key, str) else _DECLINE  # `on:` is the key True in YAML 1.1
    return key


def _block(lines: list[tuple[int, str]]) -> Any:
    """The indented lines under `key:`: a list of scalars or small maps, or a map of scalars."""
    indent, first = lines[0]
    if first != "-" and not first.startswith("- "):
        if indent == 0:
            return _DECLINE
        mapping: dict[str, Any] = {}
        for ind, line in lines:
            more = _map_line(line) if ind == indent else _DECLINE
            if more is _DECLINE:
                return _DECLINE
            mapping.update(more)
        return mapping
    items: list[Any] = []
    further = -1  # the column of a map item's first key: its other keys are aligned under it
    for ind, line in lines:
        if ind == further and isinstance(items[-1], dict):
            more = _map_line(line)
            if more is _DECLINE:
                return _DECLINE
            items[-1].update(more)
            continue
        m = _ITEM.fullmatch(line) if ind == indent else None
        if m is None or not m.group(2):
            return _DECLINE
        text = m.group(2)
        entry = _ENTRY.fullmatch(text)
        if entry is None:
            item = _value(text)
            further = -1
        else:
            item = _map_line(text)
            further = indent + m.start(2)
        if item is _DECLINE:
            return _DECLINE
        items.append(item)
    return items


def _map_line(line: str) -> Any:
    entry = _ENTRY.fullmatch(line)
    if entry is None or not entry.group(2):
        return _DECLINE
    key, value = _key(entry.group(1)), _value(entry.group(2))
    return _DECLINE if key is _DECLINE or value is _DECLINE else {key: value}


def _simple(raw: str) -> dict[str, Any] | None:
    """RAW read without PyYAML if it is in the simple subset, else None (see _ENTRY)."""
    if "\t" in raw or "\r" in raw or _NON_PRINTABLE.search(raw):
        return None
    data: dict[str, Any] = {}
    lines = raw.split("\n")
    i, n = 0, len(lines)
    fullmatch = _ENTRY.fullmatch
    while i < n:
        line = lines[i]
        i += 1
        entry = fullmatch(line)
        if entry is None:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            return None
        name, text = entry.groups()
        key = _key(name)
        if key is _DECLINE:
            return None
        if text:
            value = _value(text)
        else:
            block: list[tuple[int, str]] = []
            while i < n:
                nxt = lines[i]
                body = nxt.lstrip(" ")
                if body and not body.startswith("#"):
                    indent = len(nxt) - len(body)
                    if indent == 0 and not body.startswith("- ") and body != "-":
                        break
                    block.append((indent, body))
                i += 1
            value = _block(block) if block else None
        if value is _DECLINE:
            return None
        data[key] = value
    return data


def parse(text: str) -> FrontMatter:
    """Split and parse front matter; never raises on bad YAML (the error is kept)."""
    if not text.startswith("---"):
        return FrontMatter()
    found = split(text)
    if found is None:
        return FrontMatter()
    raw, end = found
    fm = FrontMatter(raw=raw, body_offset=end, end_line=text.count("\n", 0, end) + 1)
    simple = _simple(raw)
    if simple is not None:
        fm.data = simple
        return fm
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
