"""The card schema as one declaration: every field of every kind of card, and its type.

The built-in event and concept fields (design.md, "Cards") are declared once here; a book
extends them in mkdocs.yml (design.md, "Extending the schema"): fields of its own, relations,
labels, enum values, page fields that name cards, and what an undeclared field is. The same
`Schema` drives validation (models.py builds pydantic models from it), the checks of what
id fields name, the card pages' metadata panel and `chronicle schema` (JSON Schema).

Pure data and pure functions: no pydantic here, so reading mkdocs.yml costs nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .frontmatter import date_text

SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_YEAR_RANGE = re.compile(r"^(\d{4})(?:\s*[-–]\s*(\d{4}))?$")

# Types an author may declare (design.md), and those only the built-in fields use.
PUBLIC_TYPES = ("string", "integer", "boolean", "date", "year", "year_range", "url", "strings",
                "event", "concept", "id")
ID_TYPES = ("event", "concept", "id")  # values are ids of cards (or pages, for `id`), checked to exist
_INTERNAL_TYPES = ("slug", "chapter", "sources", "connections", "enum")
UNKNOWN_FIELDS = ("error", "warning", "ignore")
KINDS = ("event", "concept")


class SchemaError(ValueError):
    """The `schema:` option cannot be used; the message names the option's path."""


@dataclass(frozen=True)
class FieldSpec:
    """One front-matter field: its type, the values of an enum, whether it is required."""

    type: str
    values: tuple[str, ...] = ()
    required: bool = False
    builtin: bool = False
    labels: tuple[tuple[str, str], ...] = ()  # (language, label) for the card pages' panel

    def label(self, lang: str) -> str | None:
        return dict(self.labels).get(lang)

    @property
    def is_list(self) -> bool:
        return self.type in ("strings", "sources", "connections", *ID_TYPES)


@dataclass(frozen=True)
class KindSchema:
    """The fields of one kind of card and the keys its `causal_connections` may use."""

    id_field: str
    fields: dict[str, FieldSpec]
    relations: tuple[str, ...] = ()  # keys taking event ids
    labels: tuple[str, ...] = ()  # keys taking a free label

    @property
    def extra(self) -> list[str]:
        """The fields the book declared, in the order it declared them."""
        return [name for name, spec in self.fields.items() if not spec.builtin]


@dataclass(frozen=True)
class Schema:
    """What a book's cards and pages may carry: built-in plus the book's own."""

    kinds: dict[str, KindSchema]
    page: dict[str, str] = field(default_factory=dict)  # page front-matter field -> id type
    unknown_fields: str = "error"

    def __getitem__(self, kind: str) -> KindSchema:
        return self.kinds[kind]

    def digest(self) -> str:
        """What validation results depend on: cached results are keyed by it."""
        return _digest(self)


_DIGESTS: dict[int, tuple[Schema, str]] = {}


def _digest(schema: Schema) -> str:
    # Asked once per card: kept per schema object (which holds a dict, so is not hashable).
    known = _DIGESTS.get(id(schema))
    if known is None or known[0] is not schema:
        known = _DIGESTS[id(schema)] = (schema, hashlib.blake2b(repr(schema).encode("utf-8"),
                                                                digest_size=8).hexdigest())
    return known[1]


BUILTIN_RELATIONS = ("enabled_by", "enables", "influences", "influenced_by")
BUILTIN_LABELS = ("demonstrates",)
# Relations the causal graph orients itself: the others point from the card to their target.
FORWARD = ("enables", "influences")
BACKWARD = {"enabled_by": "enables", "influenced_by": "influences"}

EVENT_TYPES = ("paper_publication", "model_release", "product_launch", "company_announcement",
               "technical_breakthrough", "research_publication", "policy")
SIGNIFICANCE = ("critical", "major", "notable", "minor")
VERIFICATION = ("verified", "partially_verified", "single_source", "reported", "disputed", "unverified")


def _b(type_: str, values: tuple[str, ...] = (), required: bool = False) -> FieldSpec:
    return FieldSpec(type_, values, required, builtin=True)


BUILTIN = Schema({
    "event": KindSchema("event_id", {
        "event_id": _b("slug", required=True),
        "date": _b("date", required=True),
        "title": _b("string", required=True),
        "organization": _b("string"),
        "event_type": _b("enum", EVENT_TYPES),
        "significance_level": _b("enum", SIGNIFICANCE),
        "verification_status": _b("enum", VERIFICATION),
        "sources": _b("sources"),
        "tags": _b("strings"),
        "causal_connections": _b("connections"),
        "technical_concepts": _b("concept"),
        "chapter_id": _b("chapter"),
    }, BUILTIN_RELATIONS, BUILTIN_LABELS),
    "concept": KindSchema("concept_id", {
        "concept_id": _b("slug"),
        "title": _b("string"),
        "concept_name_zh": _b("string"),
        "concept_name_en": _b("string"),
        "related_concepts": _b("concept"),
        "introduced": _b("year"),
        "sources": _b("sources"),
        "tags": _b("strings"),
    }),
})


# --- parsing the `schema:` option -------------------------------------------------------------

def parse(options: Mapping[str, Any]) -> Schema:
    """The effective schema from the plugin's options (`schema`, `unknown_fields`), as written
    or validated. Raises SchemaError naming the option that is wrong."""
    unknown = options.get("unknown_fields", "error")
    if unknown not in UNKNOWN_FIELDS:
        raise SchemaError(f"unknown_fields: '{unknown}' is not one of {', '.join(UNKNOWN_FIELDS)}")
    raw = options.get("schema") or {}
    if not isinstance(raw, Mapping):
        raise SchemaError(f"schema: expected a mapping with 'event', 'concept' or 'page', got {raw!r}")
    for key in raw:
        if key not in (*KINDS, "page"):
            raise SchemaError(f"schema.{key}: unknown kind (use event, concept or page)")
    kinds = {kind: _extend(kind, BUILTIN[kind], raw.get(kind)) for kind in KINDS}
    page = _page(raw.get("page"))
    return Schema(kinds, page, str(unknown))


_KIND_KEYS = ("fields", "relations", "labels", "enums")


def _extend(kind: str, base: KindSchema, raw: Any) -> KindSchema:
    if raw is None:
        return base
    where = f"schema.{kind}"
    if not isinstance(raw, Mapping):
        raise SchemaError(f"{where}: expected a mapping with {', '.join(_KIND_KEYS)}")
    for key in raw:
        if key not in _KIND_KEYS:
            raise SchemaError(f"{where}.{key}: unknown key (use {', '.join(_KIND_KEYS)})")
    fields = dict(base.fields)
    declared = raw.get("fields") or {}
    if not isinstance(declared, Mapping):
        raise SchemaError(f"{where}.fields: expected a mapping of field name to type")
    for name, type_ in declared.items():
        name = str(name)
        if name == base.id_field:
            raise SchemaError(f"{where}.fields.{name}: the id field cannot be redeclared")
        if not re.match(r"^[A-Za-z_][\w-]*$", name):
            raise SchemaError(f"{where}.fields.{name}: a field name is letters, digits, '_' and '-'")
        spec = _field_type(f"{where}.fields.{name}", type_)
        old = fields.get(name)
        # A built-in field redeclared takes the new type (a book's `introduced: year_range`)
        # but stays built in: the pages keep showing it where they always did.
        fields[name] = replace(spec, required=old.required, builtin=True) if old else spec
    relations = _names(f"{where}.relations", raw.get("relations"))
    labels = _names(f"{where}.labels", raw.get("labels"))
    if (relations or labels) and kind != "event":
        raise SchemaError(f"{where}: relations and labels are keys of causal_connections, which only events have")
    for name in relations + labels:
        if name in base.relations or name in base.labels:
            raise SchemaError(f"{where}: '{name}' is a built-in relation already")
    both = set(relations) & set(labels)
    if both:
        raise SchemaError(f"{where}: '{sorted(both)[0]}' is declared both as a relation and as a label")
    enums = raw.get("enums") or {}
    if not isinstance(enums, Mapping):
        raise SchemaError(f"{where}.enums: expected a mapping of field name to a list of values")
    for name, values in enums.items():
        spec = fields.get(str(name))
        if spec is None or spec.type != "enum":
            choices = ", ".join(n for n, s in fields.items() if s.type == "enum")
            raise SchemaError(f"{where}.enums.{name}: not an enum field of {kind} cards (enum fields: {choices})")
        extra = _names(f"{where}.enums.{name}", values)
        fields[str(name)] = replace(spec, values=spec.values + tuple(v for v in extra if v not in spec.values))
    return KindSchema(base.id_field, fields, base.relations + tuple(relations), base.labels + tuple(labels))


def _field_type(where: str, raw: Any) -> FieldSpec:
    if isinstance(raw, str):
        if raw not in PUBLIC_TYPES:
            raise SchemaError(f"{where}: unknown type '{raw}' (types: {', '.join(PUBLIC_TYPES)}, "
                              "or {enum: [a, b]})")
        return FieldSpec(raw)
    if isinstance(raw, Mapping) and raw and set(raw) <= {"type", "enum", "label"} \
            and ("type" in raw) != ("enum" in raw):
        # The long form: {type: string, label: {zh: 类别, en: Category}}, {enum: [...], label: ...}.
        labels = raw.get("label") or {}
        if not isinstance(labels, Mapping) or not all(isinstance(v, str) for v in labels.values()):
            raise SchemaError(f"{where}.label: expected a label per language, such as {{zh: 类别, en: Category}}")
        pairs = tuple(sorted((str(k), v) for k, v in labels.items()))
        if "type" in raw:
            return replace(_field_type(where, raw["type"]), labels=pairs)
        values = _names(where + ".enum", raw["enum"])
        if not values:
            raise SchemaError(f"{where}.enum: give at least one value")
        return FieldSpec("enum", tuple(values), labels=pairs)
    raise SchemaError(f"{where}: expected a type name ({', '.join(PUBLIC_TYPES)}), {{enum: [a, b]}} or "
                      f"{{type: ..., label: {{zh: ..., en: ...}}}}, got {raw!r}")


def _names(where: str, raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in raw):
        raise SchemaError(f"{where}: expected a list of names, got {raw!r}")
    out = [str(v) for v in raw]
    dup = next((v for i, v in enumerate(out) if v in out[:i]), None)
    if dup is not None:
        raise SchemaError(f"{where}: '{dup}' is listed twice")
    return out


def _page(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or set(raw) - {"references"}:
        raise SchemaError("schema.page: expected {references: {field: event | concept | id}}")
    refs = raw.get("references") or {}
    if not isinstance(refs, Mapping):
        raise SchemaError("schema.page.references: expected a mapping of field name to event, concept or id")
    out: dict[str, str] = {}
    for name, kind in refs.items():
        if kind not in ID_TYPES:
            raise SchemaError(f"schema.page.references.{name}: '{kind}' is not one of {', '.join(ID_TYPES)}")
        out[str(name)] = str(kind)
    return out


# --- values: each type's check, used by the models (models.py) ---------------------------------

def as_list(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return [value]
    return value


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def check_date(value: Any) -> str:
    text = date_text(value)
    m = DATE_RE.match(text) if isinstance(text, str) else None
    if not m:
        raise ValueError(f"{_shown(text)} is not a date: write YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = m.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise ValueError(f"'{text}' is not a real date ({exc})") from None
    return text


def check_string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{_shown(value)} is not text: quote it if it must look like this")
    return value.strip()


def check_integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{_shown(value)} is not a whole number")
    return value


def check_boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{_shown(value)} is not true or false")
    return value


def check_year(value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 10000:
        raise ValueError(f"{_shown(value)} is not a year such as 2019")
    return value


def check_year_range(value: Any) -> str:
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    m = _YEAR_RANGE.match(text) if text is not None else None
    if not m:
        raise ValueError(f"{_shown(value)} is not a year or a range of years such as 2017 or 2017-2022")
    start, end = m.group(1), m.group(2)
    if end and int(end) < int(start):
        raise ValueError(f"'{text}' ends before it starts")
    return f"{start}-{end}" if end else start


def check_url(value: Any) -> str:
    text = check_string(value)
    from .safe import is_safe_url  # markupsafe: imported where a URL is checked

    if not re.match(r"^(https?://\S+|mailto:\S+)$", text, re.I) or not is_safe_url(text):
        raise ValueError(f"'{text}' is not a URL: write it in full, https://…")
    return text


def check_slug(value: Any) -> str:
    if not isinstance(value, str) or not SLUG_RE.match(value):
        raise ValueError(f"{_shown(value)} is not a slug (letters, digits, '.', '_', '-')")
    return value


def check_text_item(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{_shown(value)} is not text")
    return value


def check_enum(values: tuple[str, ...]) -> Any:
    def check(value: Any) -> str:
        if not isinstance(value, str) or value not in values:
            raise ValueError(f"{_shown(value)} is not one of {', '.join(values)}")
        return value
    return check


def connections_list(value: Any) -> Any:
    """The real book writes a list of one-key maps; a plain map means the same."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [{k: v} for k, v in value.items()]
    if not isinstance(value, list):
        raise ValueError("expected a list of one-key maps such as '- enables: [id]', or a map")
    return value


def check_connection(spec: KindSchema) -> Any:
    def check(item: Any) -> dict[str, Any]:
        if not isinstance(item, dict) or len(item) != 1:
            raise ValueError("each entry must be a one-key map such as '- enables: [id]'")
        (key, target), = item.items()
        if key in spec.relations:
            targets = as_list(target)
            if not isinstance(targets, list) or not targets:
                raise ValueError(f"'{key}' takes event ids, got {_shown(target)}")
            for t in targets:
                if not isinstance(t, str) or not SLUG_RE.match(t):
                    raise ValueError(f"'{key}' takes event ids, got {_shown(t)}")
            return {key: targets}
        if key in spec.labels:
            if not isinstance(target, str):
                raise ValueError(f"'{key}' takes a free label, got {_shown(target)}")
            return {key: target}
        known = ", ".join((*spec.relations, *spec.labels))
        raise ValueError(f"unknown relation '{key}': use one of {known}, or declare it in "
                         "plugins.chronicle.schema.event.relations")
    return check


# --- JSON Schema ----------------------------------------------------------------------------------

_DATE_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
_SLUG = {"type": "string", "pattern": SLUG_RE.pattern}


def _ids(what: str) -> dict[str, Any]:
    return {"description": what, "anyOf": [_SLUG, {"type": "array", "items": _SLUG}]}


def json_type(spec: FieldSpec, kind: KindSchema | None = None) -> dict[str, Any]:
    """The JSON Schema of one field's value, as an editor validates YAML (dates as text)."""
    t = spec.type
    if t == "string":
        return {"type": "string"}
    if t == "integer":
        return {"type": "integer"}
    if t == "boolean":
        return {"type": "boolean"}
    if t == "date":
        return {"description": "YYYY-MM-DD, YYYY-MM or YYYY",
                "anyOf": [{"type": "string", "pattern": _DATE_PATTERN},
                          {"type": "integer", "minimum": 1, "maximum": 9999}]}
    if t == "year":
        return {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 9999},
                          {"type": "string", "pattern": r"^\d{1,4}$"}]}
    if t == "year_range":
        return {"description": "a year or a range: 2017, 2017-2022",
                "anyOf": [{"type": "integer", "minimum": 1, "maximum": 9999},
                          {"type": "string", "pattern": r"^\d{4}(\s*[-–]\s*\d{4})?$"}]}
    if t == "url":
        return {"type": "string", "pattern": r"^(https?://|mailto:)\S+$"}
    if t in ("strings", "sources"):
        what = "keys of the bibliography" if t == "sources" else "text or a list of texts"
        return {"description": what, "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
    if t in ID_TYPES:
        return _ids(f"{t if t != 'id' else 'card or page'} id, or a list of them")
    if t in ("slug", "chapter"):
        return dict(_SLUG)
    if t == "enum":
        return {"enum": list(spec.values)}
    if t == "connections":
        assert kind is not None
        entries: list[dict[str, Any]] = []
        for name in kind.relations:
            entries.append({"type": "object", "properties": {name: _ids("event ids")},
                            "required": [name], "additionalProperties": False})
        for name in kind.labels:
            entries.append({"type": "object", "properties": {name: {"type": "string"}},
                            "required": [name], "additionalProperties": False})
        one = {"anyOf": entries}
        keys = {name: _ids("event ids") for name in kind.relations}
        keys.update({name: {"type": "string"} for name in kind.labels})
        return {"anyOf": [{"type": "array", "items": one},
                          {"type": "object", "properties": keys, "additionalProperties": False}]}
    raise AssertionError(t)


def json_schema(schema: Schema, languages: list[str]) -> dict[str, Any]:
    """JSON Schema (2020-12) of a card's front matter: one branch per kind, told apart by the
    id field (a concept card may go without one: it is then a concept by its folder)."""
    defs: dict[str, Any] = {}
    localized = "|".join(re.escape(lang) for lang in languages)
    for kind, spec in schema.kinds.items():
        props = {name: json_type(f, spec) for name, f in spec.fields.items()}
        body: dict[str, Any] = {
            "type": "object",
            "title": f"{kind} card",
            "properties": props,
            "required": [name for name, f in spec.fields.items() if f.required],
            "patternProperties": {f"^(title|organization)_({localized})$": {"type": "string"}},
        }
        if schema.unknown_fields == "error":
            body["additionalProperties"] = False
        defs[kind] = body
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Chronicle card front matter",
        "description": "Event and concept cards (README, 'Card fields'), with the book's own fields",
        "$defs": defs,
        "if": {"type": "object", "required": ["event_id"]},
        "then": {"$ref": "#/$defs/event"},
        "else": {"$ref": "#/$defs/concept"},
    }
