"""Front matter with positions: every value keeps the line it was written on."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ~10x faster


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """Dates stay text as written: '2019-13-01' must be reported, not crash the loader.

    A key written twice is noted (YAML keeps the last one silently): as (key, line, line of
    its first use) in `duplicates`.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _value in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node)
                line = key_node.start_mark.line + 2  # +1: 1-based; +1: the opening '---'
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: the constructor reports it
                    continue
                if first is None:
                    seen[key] = line
                else:
                    self.__dict__.setdefault("duplicates", []).append((str(key), line, first))
        return super().construct_mapping(node, deep)


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
# What the fast reader leaves to PyYAML, besides the shapes it does not know: tabs, \r and
# the other line breaks of YAML (\x85, \u2028, \u2029: str.split("\n") would not end a
# line at them), and what PyYAML refuses as non-printable. Written as the few characters it
# takes, not as the negation of everything printable: the same set, compiled ten times faster
# (that class took 7 ms, paid by every run at import).
_NOT_SIMPLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
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
    hint: str = ""  # what to do about ERROR
    duplicates: tuple[tuple[str, int, int], ...] = ()  # keys given twice: (key, line, first line)
    _lines: dict[Path_, int] | None = field(default=None, repr=False)
    _columns: dict[Path_, int] = field(default_factory=dict, repr=False)

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
                    _walk(node, (), self._lines, self._columns)
        return self._lines

    def position(self, *path: object) -> tuple[int, int]:
        """Line and column (1-based) of a value, or of the nearest enclosing value that has one."""
        lines = self.lines
        while path:
            if path in lines:
                return lines[path], self._columns.get(path, 1)
            path = path[:-1]
        return 1, 1

    def key_position(self, name: str) -> tuple[int, int]:
        """Line and column of a top-level field's name."""
        key = (name, "__key__")
        if key in self.lines:
            return self.lines[key], self._columns.get(key, 1)
        return self.position(name)

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


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int], columns: dict[Path_, int]) -> None:
    lines[path] = node.start_mark.line + 2  # +1: 1-based; +1: the opening '---'
    columns[path] = node.start_mark.column + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                sub = (*path, key.value)
                _walk(value, sub, lines, columns)
                lines[(*sub, "__key__")] = key.start_mark.line + 2
                columns[(*sub, "__key__")] = key.start_mark.column + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), lines, columns)


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
            if more is _DECLINE or not mapping.keys().isdisjoint(more):
                return _DECLINE
            mapping.update(more)
        return mapping
    items: list[Any] = []
    further = -1  # the column of a map item's first key: its other keys are aligned under it
    for ind, line in lines:
        if ind == further and isinstance(items[-1], dict):
            more = _map_line(line)
            if more is _DECLINE or not items[-1].keys().isdisjoint(more):
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
    if _NOT_SIMPLE.search(raw):
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
        if value is _DECLINE or key in data:  # a key given twice: PyYAML's reader reports it
            return None
        data[key] = value
    return data


MAX_DEPTH = 32  # lists and maps in lists and maps: a card needs 3
# Cheap signs that a document might hold an alias or nest past MAX_DEPTH (see _hazard): a
# flow collection takes a bracket, and a block one moves its first token right by a column
# at least every second level, so deep block nesting needs a line that starts with 8 or
# more columns of spaces and indicators.
_DEEP_BLOCK = re.compile(r"^[ \t?:-]{8}", re.M)
_FLOW_OPENERS = MAX_DEPTH // 2 - 4


def _hazard(raw: str) -> tuple[str, int, str] | None:
    """An alias or nesting past MAX_DEPTH in RAW, as (message, line, hint), or None.

    Found from the parser's events, before anything is composed: an alias bomb (nine lines of
    lists of aliases) expands into billions of values in anything that walks the result, and
    nesting a hundred thousand deep overflows libyaml's recursive composer (a crash, not an
    exception). Aliases are refused, not expanded under a limit: front matter is a handful of
    fields written by hand, which never needs them, and a refusal is one clear rule for
    every reader of the value (ours, MkDocs', the cache's)."""
    if ("*" not in raw and raw.count("[") + raw.count("{") < _FLOW_OPENERS
            and _DEEP_BLOCK.search(raw) is None):
        return None
    loader = _Loader(raw)
    depth = 0
    try:
        while True:
            event = loader.get_event()
            kind = type(event)
            if kind is yaml.SequenceStartEvent or kind is yaml.MappingStartEvent:
                depth += 1
                if depth > MAX_DEPTH:
                    return (f"the front matter nests lists and maps more than {MAX_DEPTH} deep",
                            event.start_mark.line + 2,
                            "flatten it: front matter holds fields, lists and small maps")
            elif kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
                depth -= 1
            elif kind is yaml.AliasEvent:
                return ("YAML aliases (*name) are not allowed in front matter", event.start_mark.line + 2,
                        "write the value out")
            elif kind is yaml.StreamEndEvent:
                return None
    except yaml.YAMLError:
        return None  # a syntax error, before anything deep: the loader reports it
    finally:
        loader.dispose()


def _load(raw: str) -> tuple[Any, tuple[tuple[str, int, int], ...]]:
    """RAW read by PyYAML, and the keys it found twice."""
    loader = _Loader(raw)
    try:
        data = loader.get_single_data()
    finally:
        loader.dispose()
    return data, tuple(loader.__dict__.get("duplicates", ()))


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
    hazard = _hazard(raw)
    if hazard is not None:
        fm.error, fm.error_line, fm.hint = hazard
        return fm
    try:
        data, fm.duplicates = _load(raw)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
        # The context mark is where the broken construct began (an unclosed '['), which
        # is the line to fix; the problem mark is often just the end of the input.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        fm.error_line = (mark.line + 2) if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        fm.error = f"invalid YAML front matter: {problem}"
        fm.hint = "fix the YAML between the '---' lines"
        return fm
    if data is None:
        return fm
    if not isinstance(data, dict):
        fm.error = f"the front matter is a {_kind(data)}, not a map of fields"
        fm.error_line = 2
        fm.hint = "write it as 'field: value' lines"
        return fm
    fm.data = data
    return fm


def _kind(value: Any) -> str:
    return "list" if isinstance(value, list) else f"single value ({type(value).__name__})"


# Fields MkDocs and Material read from a page's front matter, and the type each must have: a
# value of another type stops the build with a traceback there (`hide: 5`, `template: 5`).
_TEXT = (str,)
THEME_FIELDS: dict[str, tuple[tuple[type, ...], str]] = {
    "title": (_TEXT, "text"),
    "template": (_TEXT, "the name of a template, such as main.html"),
    "icon": (_TEXT, "the name of an icon, such as material/book"),
    "status": (_TEXT, "the name of a status, such as new"),
    "description": (_TEXT, "text"),
    "subtitle": (_TEXT, "text"),
    "hide": ((list,), "a list such as [navigation, toc]"),
    "search": ((dict,), "a map such as {exclude: true}"),
}


def theme_field_errors(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The fields of DATA that MkDocs or its theme would choke on, with what each must be."""
    out: list[tuple[str, str]] = []
    for name, (types, expected) in THEME_FIELDS.items():
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, types) or (name == "hide" and not all(isinstance(x, str) for x in value)):
            out.append((name, expected))
    return out


def date_text(value: Any) -> str:
    """YAML reads 2019 as an int (dates stay text with our loader); cards mean text."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
