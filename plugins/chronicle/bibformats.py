"""Bibliographies besides BibTeX: CSL-JSON, CSL-YAML and a Markdown page of `[key]` entries.

Each reader returns a `Read`: the entries by key, each key's credibility and line, later
definitions of a key (`repeated`), URLs that may not be linked (`unsafe`) and what made the
file unreadable (`errors`), all positioned in the file as written.

A CSL item becomes a pybtex Entry, so that pybtex's plain style formats every bibliography
alike. pybtex reads every field as LaTeX (`--` is a dash, `~` a space, braces group), and a
CSL field is plain text: `latex_text` writes the characters LaTeX would read otherwise as
private-use characters, which the HTML backend turns back (`unlatex`) after escaping, and
wraps the field in braces so that the plain style does not change its case.
"""

from __future__ import annotations

import bisect
import datetime
import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .safe import Markup, escape, is_safe_url

Unsafe = tuple[int, int, str, str, str]  # (line, column, key, field, url)

# The characters pybtex's LaTeX reading changes (braces, commands, ligatures such as -- ,, ``
# and '', the tie ~, the comment %), each kept as a private-use character until rendered.
_SPECIAL = "{}\\~-'`%,"
_PRIVATE = 0xF0000  # plane 15, private use: no text of a book carries these
_TO_PRIVATE = {ord(c): _PRIVATE + i for i, c in enumerate(_SPECIAL)}
_FROM_PRIVATE = {_PRIVATE + i: c for i, c in enumerate(_SPECIAL)}
_SPACE = re.compile(r"\s+")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_YEAR = re.compile(r"(?<!\d)(1[0-9]{3}|20[0-9]{2})(?!\d)")
# `credibility: 2` on a line of a CSL note (where Zotero keeps extra fields, one a line).
_NOTE_CREDIBILITY = re.compile(r"^[ \t]*credibility[ \t]*:[ \t]*(\S+)[ \t]*$\n?", re.M | re.I)

# CSL type: (BibTeX type, field for container-title, field for publisher).
_TYPES: dict[str, tuple[str, str, str]] = {
    "article": ("article", "journal", "publisher"),
    "article-journal": ("article", "journal", "publisher"),
    "article-magazine": ("article", "journal", "publisher"),
    "article-newspaper": ("article", "journal", "publisher"),
    "paper-conference": ("inproceedings", "booktitle", "publisher"),
    "chapter": ("incollection", "booktitle", "publisher"),
    "entry-encyclopedia": ("incollection", "booktitle", "publisher"),
    "entry-dictionary": ("incollection", "booktitle", "publisher"),
    "book": ("book", "series", "publisher"),
    "report": ("techreport", "series", "institution"),
    "thesis": ("phdthesis", "series", "school"),
}
# Plain-text CSL fields and the BibTeX field each becomes (besides title, container, publisher).
_TEXT_FIELDS = {"volume": "volume", "issue": "number", "number": "number", "edition": "edition",
                "publisher-place": "address", "genre": "type", "collection-title": "series",
                "event-title": "booktitle", "version": "edition"}


@dataclass
class Read:
    """What one bibliography file holds, positioned as written."""

    entries: dict[str, Any] = field(default_factory=dict)  # key -> pybtex Entry or MarkdownEntry
    tiers: dict[str, int | None] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)
    repeated: list[tuple[str, int]] = field(default_factory=list)  # (key, line) of a second definition
    unsafe: list[Unsafe] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)

    def define(self, key: str, line: int, entry: Any, tier: int | None) -> bool:
        """Record KEY at LINE unless already defined here (then it is `repeated`)."""
        if key in self.key_lines:
            self.repeated.append((key, line))
            return False
        self.key_lines[key] = line
        self.entries[key] = entry
        self.tiers[key] = tier
        return True


def tier(value: Any) -> int | None:
    """A credibility as written (`2`, `"2"`, `{2}`), or None."""
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip("{} "))
    except (TypeError, ValueError):
        return None


def latex_text(text: str) -> str:
    """TEXT as a pybtex field that reads back as TEXT (see the module's docstring)."""
    return "{" + _SPACE.sub(" ", str(text)).strip().translate(_TO_PRIVATE) + "}"


def unlatex(text: str) -> str:
    """The characters latex_text set aside, back (after the text was escaped as HTML)."""
    return text.translate(_FROM_PRIVATE)


# -- CSL ---------------------------------------------------------------------------


def _date(value: Any) -> tuple[str, str]:
    """(year, month name) of a CSL date: {date-parts: [[2019, 2, 14]]}, {raw: '2019-02-14'},
    a string, a YAML date, or a list of {year, month} (the older YAML form)."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return str(value.year), _MONTHS[value.month - 1]
    if isinstance(value, list) and value and isinstance(value[0], dict):
        value = {"date-parts": [[value[0].get("year"), value[0].get("month")]]}
    if isinstance(value, dict):
        parts = value.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            year, month = (parts[0] + [None])[:2]
            year_text = str(year) if isinstance(year, (int, str)) and str(year).strip() else ""
            try:
                month_name = _MONTHS[int(month) - 1] if month is not None and 1 <= int(month) <= 12 else ""
            except (TypeError, ValueError):
                month_name = ""
            return year_text, month_name
        value = value.get("raw") or value.get("literal") or ""
    if isinstance(value, (int, str)):
        text = str(value)
        m = re.match(r"\s*(\d{4})(?:-(\d{1,2}))?", text)
        if m:
            month = int(m.group(2)) if m.group(2) else 0
            return m.group(1), _MONTHS[month - 1] if 1 <= month <= 12 else ""
        m = _YEAR.search(text)
        return (m.group(1) if m else ""), ""
    return "", ""


def _person(name: Any) -> Any:
    from pybtex.database import Person

    if isinstance(name, str):
        return Person(last=latex_text(name))
    if not isinstance(name, dict):
        return None
    literal = name.get("literal")
    family = name.get("family")
    if literal or not family:
        text = literal or name.get("given")
        return Person(last=latex_text(text)) if text else None
    person = Person(last=latex_text(family))
    if name.get("given"):
        person.first_names.extend(latex_text(part) for part in str(name["given"]).split())
    particle = name.get("non-dropping-particle") or name.get("dropping-particle")
    if particle:
        person.prelast_names.append(latex_text(particle))
    if name.get("suffix"):
        person.lineage_names.append(latex_text(name["suffix"]))
    return person


def doi(value: str) -> str:
    """A DOI without the resolver or `doi:` written before it (pybtex links https://doi.org/...)."""
    return re.sub(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:)", "", value, flags=re.I).strip()


def csl_entry(item: dict[str, Any]) -> tuple[Any, int | None]:
    """A CSL item as a pybtex Entry, and its credibility."""
    from pybtex.database import Entry

    kind, container, publisher = _TYPES.get(str(item.get("type", "")), ("misc", "howpublished", "publisher"))
    fields: dict[str, str] = {}

    def put(name: str, value: Any) -> None:
        if value is not None and not isinstance(value, (dict, list)) and str(value).strip() \
                and name not in fields:
            fields[name] = latex_text(value)

    put("title", item.get("title"))
    put(container, item.get("container-title"))
    put(publisher, item.get("publisher"))
    for csl, bib in _TEXT_FIELDS.items():
        put(bib, item.get(csl))
    if kind == "misc":  # the plain style shows a @misc's howpublished, not its type or publisher
        put("howpublished", item.get("genre"))
        put("howpublished", item.get("publisher"))
    pages = item.get("page")
    if isinstance(pages, (int, str)) and str(pages).strip():
        # The plain style writes a range with an en dash from BibTeX's "--".
        fields["pages"] = "--".join(latex_text(p)[1:-1] for p in re.split(r"\s*[-\u2013]+\s*", str(pages)))
    year, month = _date(item.get("issued"))
    if year:
        fields["year"] = year
    if month:
        fields["month"] = month
    note = item.get("note")
    credibility = tier(item["credibility"]) if "credibility" in item else None
    if isinstance(note, str):
        m = _NOTE_CREDIBILITY.search(note)
        if m:
            credibility = credibility if "credibility" in item else tier(m.group(1))
            note = note[:m.start()] + note[m.end():]
        put("note", note)
    for name, bib in (("URL", "url"), ("DOI", "doi")):
        value = item.get(name)
        if isinstance(value, str) and value.strip():
            fields[bib] = doi(value) if bib == "doi" else value.strip()
    persons: dict[str, list[Any]] = {}
    for role in ("author", "editor"):
        names = item.get(role)
        people = [p for p in (_person(n) for n in names) if p is not None] if isinstance(names, list) else []
        if people:
            persons[role] = people
    return Entry(kind, fields=fields, persons=persons), credibility


def _add_items(out: Read, items: list[tuple[Any, int, dict[str, tuple[int, int]]]]) -> None:
    """CSL items, each with the line of its `id` and the (line, column) of its URL fields."""
    for item, line, places in items:
        if not isinstance(item, dict):
            out.errors.append((line, "a CSL item must be a mapping of fields (id, type, title, ...)"))
            continue
        key = item.get("id")
        if not isinstance(key, (str, int)) or isinstance(key, bool) or not str(key).strip():
            out.errors.append((line, "this CSL item has no 'id': give it the key that citations use"))
            continue
        key = str(key).strip()
        entry, credibility = csl_entry(item)
        if not out.define(key, line, entry, credibility):
            continue
        for name in ("URL", "DOI"):
            value = item.get(name)
            if isinstance(value, str) and not is_safe_url(value if name == "URL" else doi(value)):
                at_line, column = places.get(name, (line, 1))
                out.unsafe.append((at_line, column, key, name, value))
    out.unsafe.sort()


def read_csl_json(text: str) -> Read:
    """A CSL-JSON file: a list of items (Zotero's, Pandoc's and Quarto's export)."""
    out = Read()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        out.errors.append((exc.lineno, f"cannot read the CSL-JSON bibliography: {exc.msg} "
                                        f"(line {exc.lineno}, column {exc.colno})"))
        return out
    if not isinstance(data, list):
        out.errors.append((1, "a CSL-JSON bibliography is a list of items: [{\"id\": ...}, ...]"))
        return out
    line_starts = _line_starts(text)
    _add_items(out, [(item, *_json_places(text, line_starts, item, span))
                     for item, span in zip(data, _json_spans(text), strict=False)])
    return out


def _json_spans(text: str) -> list[tuple[int, int]]:
    """Where each element of the (valid) top-level list starts and ends, read with the same
    decoder: json gives no positions for values, and an error or a key needs one."""
    decoder = json.JSONDecoder()
    spans = []
    pos = text.index("[") + 1
    ws = re.compile(r"[\s,]*")
    while True:
        pos = ws.match(text, pos).end()  # type: ignore[union-attr]
        if pos >= len(text) or text[pos] == "]":
            return spans
        _value, end = decoder.raw_decode(text, pos)
        spans.append((pos, end))
        pos = end


_JSON_KEY = re.compile(r'"(id|URL|DOI)"\s*:')


def _json_places(text: str, line_starts: list[int], item: Any,
                 span: tuple[int, int]) -> tuple[int, dict[str, tuple[int, int]]]:
    start, end = span
    places: dict[str, tuple[int, int]] = {}
    for m in _JSON_KEY.finditer(text, start, end):
        if text[m.start() - 1] != "\\":
            places.setdefault(m.group(1), _position(line_starts, m.start()))
    return places.get("id", _position(line_starts, start))[0], places


def read_csl_yaml(text: str) -> Read:
    """A CSL-YAML file: a list of items, or Pandoc's `references:` list (with or without the
    `---` lines of a metadata block)."""
    out = Read()
    hazard = _yaml_hazard(text)
    if hazard:
        out.errors.append(hazard)
        return out
    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = exc.problem or exc.context or "invalid YAML"
        out.errors.append((line, f"cannot read the CSL-YAML bibliography: {what} (line {line})"))
        return out
    except yaml.YAMLError as exc:
        out.errors.append((1, f"cannot read the CSL-YAML bibliography: {exc}"))
        return out
    finally:
        loader.dispose()
    if isinstance(data, dict) and "references" in data:
        data = data["references"]
        node = next((v for k, v in node.value if k.value == "references"), None)
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        out.errors.append((1, "a CSL-YAML bibliography is a list of items ('- id: ...'), "
                              "or a 'references:' list of them"))
        return out
    items = []
    for item, item_node in zip(data, node.value, strict=True):
        places: dict[str, tuple[int, int]] = {}
        if isinstance(item_node, yaml.MappingNode):
            for key_node, _value_node in item_node.value:
                if key_node.value in ("id", "URL", "DOI"):
                    places.setdefault(key_node.value, (key_node.start_mark.line + 1, key_node.start_mark.column + 1))
        line = places.get("id", (item_node.start_mark.line + 1, 0))[0]
        items.append((item, line, places))
    _add_items(out, items)
    return out


_MAX_DEPTH = 32  # a CSL item nests three deep (issued: date-parts: [[...]])


def _yaml_hazard(text: str) -> tuple[int, str] | None:
    """An alias, or nesting past _MAX_DEPTH, as (line, message): an alias bomb expands into
    billions of values, and deep nesting overflows the composer (see frontmatter._hazard)."""
    if "*" not in text and text.count("[") + text.count("{") < _MAX_DEPTH // 2:
        return None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    depth = 0
    try:
        while True:
            event = loader.get_event()
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > _MAX_DEPTH:
                    return (event.start_mark.line + 1,
                            f"the bibliography nests lists and maps more than {_MAX_DEPTH} deep")
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                return (event.start_mark.line + 1, "YAML aliases (*name) are not allowed in a bibliography: "
                                                   "write the value out")
            elif isinstance(event, yaml.StreamEndEvent):
                return None
    except yaml.YAMLError:
        return None  # a syntax error: the loader reports it, at its line
    finally:
        loader.dispose()


# -- Markdown ----------------------------------------------------------------------


@dataclass
class MarkdownEntry:
    """An entry of a Markdown reference page: its text is the formatted reference."""

    text: str
    label: str
    title: str = ""  # what entries with the same label are ordered by

    fields: dict[str, str] = field(default_factory=dict)  # as pybtex's Entry, for callers that look


# `[key]` or `**[key]**` at the start of a paragraph or list item; `[key](url)`, `[key][x]`
# and `[key]: url` are links, not entries.
_MD_ENTRY = re.compile(
    r" {0,3}(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?"
    r"(?:\*\*\[([\w:.+/-]+)\]\*\*[ \t]*:?|\[([\w:.+/-]+)\](?![(\[:]))"
    r"(?:[ \t]+|$)")
_MD_BLOCK = re.compile(r" {0,3}(?:[-*+][ \t]|\d{1,9}[.)][ \t]|#|>|```|~~~|<|\||---|\*\*\*)")
_FENCE = re.compile(r" {0,3}(```+|~~~+)")
_ATTRS = re.compile(r"[ \t]*\{:?([^{}]*)\}[ \t]*$")
_ATTR = re.compile(r"""([\w-]+)=(?:"([^"]*)"|'([^']*)'|(\S+))""")
# A link's destination: no blanks, parentheses only balanced (one level), as CommonMark reads it.
_DEST = r"[^\s()<>]*(?:\([^\s()<>]*\)[^\s()<>]*)*"
_MD_URL = re.compile(r"\]\(\s*<?(" + _DEST + r")|<([A-Za-z][A-Za-z0-9+.-]*:[^\s>]*)>")


def read_markdown(text: str, body_offset: int = 0) -> Read:
    """A Markdown page of references: each paragraph or list item that begins with `[key]` or
    `**[key]**` defines KEY (so does a line that begins so inside a paragraph). A last line
    `{: credibility=2 label="Radford et al., 2019"}` (attr_list's syntax: MkDocs shows nothing
    of it), or the same braces at the end of the text, gives its credibility and its label."""
    out = Read()
    lines = text.split("\n")
    first = text.count("\n", 0, body_offset)
    current: list[str] | None = None
    key, start = "", 0
    fence = ""

    def close() -> None:
        if current is None:
            return
        entry, credibility = markdown_entry(key, " ".join(part.strip() for part in current))
        if out.define(key, start + 1, entry, credibility):
            for i, raw in enumerate(current, start):
                for m in _MD_URL.finditer(raw):
                    url = m.group(1) or m.group(2)
                    if not is_safe_url(url):
                        col = m.start(1) + 1 if m.group(1) else m.start(2) + 1
                        out.unsafe.append((i + 1, col, key, "link", url))

    for i in range(first, len(lines)):
        line = lines[i]
        if fence:
            if line.strip().startswith(fence):
                fence = ""
            continue
        f = _FENCE.match(line)
        if f:
            close()
            current, fence = None, f.group(1)[:3]
            continue
        m = _MD_ENTRY.match(line)
        if m:
            close()
            key, start = m.group(1) or m.group(2), i
            current = [line[m.end():]]
        elif current is not None:
            if not line.strip() or _MD_BLOCK.match(line):
                close()
                current = None
            else:
                current.append(line)
    close()
    out.unsafe.sort()
    return out


def markdown_entry(key: str, text: str) -> tuple[MarkdownEntry, int | None]:
    credibility = None
    label = ""
    m = _ATTRS.search(text)
    if m and "=" in m.group(1):
        attrs = {a.group(1).lower().removeprefix("data-"): a.group(2) or a.group(3) or a.group(4) or ""
                 for a in _ATTR.finditer(m.group(1))}
        credibility = tier(attrs.get("credibility"))
        label = attrs.get("label", "")
        text = text[:m.start()].rstrip()
    return MarkdownEntry(text, label or _guess_label(key, text), _plain_text(text)), credibility


def _guess_label(key: str, text: str) -> str:
    """"Surname, Year" or "Surname et al., Year" from a reference written the usual way
    (authors, then the year): the first word, and the first year; the key if there is none."""
    plain = _plain_text(text)
    year = _YEAR.search(plain)
    who = re.match(r"[^\W\d_][\w'’-]*", plain)
    if not who or not year:
        return key
    authors = plain[:year.start()]
    several = (re.search(r"\bet al\b|\band\b|&|;|、|等", authors) is not None) or authors.count(",") > 2
    return f"{who.group(0)}{' et al.' if several else ''}, {year.group(0)}"


_INLINE = re.compile(
    r"\\([\\`*_{}\[\]()#+\-.!<>])"          # 1 an escaped character
    r"|(`+)(.+?)\2"                           # 2, 3 a code span
    r"|\[([^\[\]]*)\]\(\s*<?(" + _DEST + r")>?(?:\s+[\"'][^\"']*[\"'])?\s*\)"  # 4, 5 a link
    r"|<([A-Za-z][A-Za-z0-9+.-]*:[^\s<>]*)>"  # 6 an autolink
    r"|\*\*(.+?)\*\*|__(.+?)__"               # 7, 8 strong
    r"|\*(?!\s)(.+?)\*|(?<!\w)_(?!\s)(.+?)_(?!\w)"  # 9, 10 emphasis
)


def inline_html(text: str) -> Markup:
    """The Markdown of one reference as HTML: emphasis, code, links (only safe URLs linked;
    another is shown as its text), every other character escaped."""
    out: list[str] = []
    pos = 0
    for m in _INLINE.finditer(text):
        out.append(str(escape(text[pos:m.start()])))
        pos = m.end()
        g = m.groups()
        if g[0] is not None:
            out.append(str(escape(g[0])))
        elif g[1] is not None:
            out.append(f"<code>{escape(g[2])}</code>")
        elif g[4] is not None:
            inner = inline_html(g[3])
            out.append(f'<a href="{escape(g[4])}">{inner}</a>' if g[4] and is_safe_url(g[4]) else str(inner))
        elif g[5] is not None:
            out.append(f'<a href="{escape(g[5])}">{escape(g[5])}</a>' if is_safe_url(g[5]) else str(escape(g[5])))
        elif g[6] is not None or g[7] is not None:
            out.append(f"<strong>{inline_html(g[6] or g[7])}</strong>")
        else:
            out.append(f"<em>{inline_html(g[8] or g[9])}</em>")
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def _plain_text(text: str) -> str:
    return re.sub(r"[*_`]|\]\([^)]*\)|[\[\]<>]", "", text).strip()


# -- positions ---------------------------------------------------------------------


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


def _position(line_starts: list[int], offset: int) -> tuple[int, int]:
    line = bisect.bisect_right(line_starts, offset)
    return line, offset - line_starts[line - 1] + 1
