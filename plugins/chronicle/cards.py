"""Event and concept cards: validated front matter, as the checks and the pages use it.

Validation (pydantic, models.py) runs only for a card whose front matter is new or changed:
the fact cache keeps what it made of the others (see book._card), so an unchanged book is
checked without importing pydantic at all. A bad field is one problem at its line; the card
keeps its id and every other field (see _recover).
"""

from __future__ import annotations

from typing import Any, Literal

from . import schema as sch
from .frontmatter import FrontMatter
from .schema import SLUG_RE, Schema, as_list, check_date
from .suggest import near

__all__ = ["SLUG_RE", "Card", "as_list", "check_date", "make", "prepare", "split_localized", "validate"]

# Fields a translation may set in its own front matter; everything else is structural.
LOCALIZED_FIELDS = ("title", "organization", "concept_name", "translated_from", "summary")

CardKind = Literal["event", "concept"]
# A problem validation found: (line, column, severity, code, message, hint).
Issue = tuple[int, int, str, str, str, str]
# What validation made of one card's front matter, as the cache keeps it: the card's fields
# (None if it has no usable id) and the problems.
Result = tuple["dict[str, Any] | None", list[Issue]]


class Card:
    """A card's fields as validated, by name: `card.date`, `card.category` (a field the book
    declared). Every declared field is there; one the card does not set is None or []."""

    __slots__ = ("fields", "kind", "spec")

    def __init__(self, kind: str, fields: dict[str, Any], spec: sch.KindSchema) -> None:
        self.kind, self.fields, self.spec = kind, fields, spec

    def __getattr__(self, name: str) -> Any:
        try:
            return self.fields[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        return f"Card({self.kind}, {self.fields!r})"

    def relations(self) -> list[tuple[str, str, int]]:
        """(relation, target, index in causal_connections) for every id relation."""
        out: list[tuple[str, str, int]] = []
        for i, item in enumerate(self.fields.get("causal_connections") or ()):
            for key, target in item.items():
                if key in self.spec.relations:
                    out.extend((key, t, i) for t in as_list(target))
        return out

    def sort_key(self) -> tuple[int, int, int]:
        date = self.fields.get("date")
        if date is None:
            return 9999, 99, 99
        y, m, d = [*str(date).split("-"), "0", "0"][:3]
        return int(y), int(m), int(d)


def split_localized(data: dict[str, Any], languages: list[str]) -> tuple[dict[str, Any], dict[str, dict]]:
    """Take `title_en`-style keys out of a card's front matter, by language."""
    rest: dict[str, Any] = {}
    localized: dict[str, dict[str, Any]] = {}
    for key, value in data.items():
        if isinstance(key, str) and key.startswith(("title_", "organization_")):
            base, _, lang = key.rpartition("_")
            if base in ("title", "organization") and lang in languages:
                localized.setdefault(lang, {})[base] = value
                continue
        rest[key] = value
    return rest, localized


def make(kind: CardKind, result: Result, schema: Schema) -> Card | None:
    """The card a validation result describes (None if it has no usable id)."""
    fields = result[0]
    return None if fields is None else Card(kind, fields, schema[kind])


def prepare() -> None:
    """Import pydantic ahead of validation (it takes a quarter of a second): the CLI does it
    while other processes read files."""
    from . import models  # noqa: F401


def _hint_for_unknown(kind: str, name: str, known: list[str]) -> str:
    close = near(name, known, 0.75)
    fix = f"did you mean '{close}'? Or declare" if close else "declare"
    return (f"{fix} it in mkdocs.yml: plugins.chronicle.schema.{kind}.fields: {{{name}: string}} "
            "(README, 'Card fields'), or set unknown_fields: warning")


def validate(kind: CardKind, data: dict[str, Any], fm: FrontMatter, schema: Schema) -> Result:
    """Validate front matter against the schema of KIND: every bad field, every bad item of a
    list and every undeclared field is one problem at its own line and column."""
    from pydantic import ValidationError

    from .models import model

    spec = schema[kind]
    issues: list[Issue] = []
    declared: dict[str, Any] = {}
    for key, value in data.items():
        if key in spec.fields:
            if value is not None or spec.fields[key].required:
                declared[key] = value
        elif schema.unknown_fields != "ignore":
            line, col = fm.key_position(str(key))
            issues.append((line, col, schema.unknown_fields, "unknown-field",
                           f"unknown field '{key}' in an {kind} card" if kind == "event" else
                           f"unknown field '{key}' in a {kind} card",
                           _hint_for_unknown(kind, str(key), list(spec.fields))))
    cls = model(kind, spec)
    try:
        return cls.model_validate(declared).model_dump(), issues
    except ValidationError as exc:
        errors = exc.errors()
    for err in errors:
        loc = tuple(err["loc"])
        name = str(loc[0]) if loc else "front matter"
        if err["type"] == "missing":
            issues.append((2, 1, "error", "frontmatter-field", f"required field '{name}' is missing",
                           f"add '{name}:' to the front matter"))
            continue
        text = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "list_type":
            text = f"{_shown(err.get('input'))} is not a list: write [a, b] or one item per line"
        line, col = fm.position(*loc)
        issues.append((line, col, "error", "frontmatter-field", f"field '{name}': {text}",
                       _hint(kind, name, spec)))
    return _recover(kind, spec, declared, errors), issues


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _hint(kind: str, name: str, spec: sch.KindSchema) -> str:
    field = spec.fields.get(name)
    if field is None:
        return f"see the {kind} card fields in the README"
    if field.type == "enum":
        return f"use one of the values above, or declare this one under schema.{kind}.enums.{name} in mkdocs.yml"
    if field.type == "connections":
        return (f"write '- relation: [event-id]'; relations: {', '.join(spec.relations)}; "
                f"labels: {', '.join(spec.labels)}")
    return f"'{name}' is {_TYPE_WORDS.get(field.type, field.type)}"


_TYPE_WORDS = {
    "string": "text", "integer": "a whole number", "boolean": "true or false",
    "date": "a date: YYYY-MM-DD, YYYY-MM or YYYY", "year": "a year such as 2019",
    "year_range": "a year or a range such as 2017-2022", "url": "a full URL, https://…",
    "strings": "text or a list of texts", "sources": "bibliography keys, one or a list",
    "event": "an event id or a list of them", "concept": "a concept id or a list of them",
    "id": "an id or a list of them", "slug": "a slug: letters, digits, '.', '_', '-'",
    "chapter": "a chapter folder's name",
}

# Stand-ins, for validation only, for a required field that is broken: the card keeps its id
# and every valid field, and the field itself is None (an event without a date is left out of
# the timeline and the graph, a card without a title is titled by its heading).
_STAND_INS = {"date": "2000", "title": "-"}


def _recover(kind: str, spec: sch.KindSchema, data: dict[str, Any], errors: list[Any]) -> dict[str, Any] | None:
    """The card without what is broken, or None when its id is (or is missing): a bad item of
    a list drops that item, any other bad value its field."""
    rest = dict(data)
    bad_items: dict[str, set[int]] = {}
    for err in errors:
        loc = err["loc"]
        if not loc:
            continue
        name = loc[0]
        if len(loc) > 1 and isinstance(loc[1], int) and isinstance(rest.get(name), list):
            bad_items.setdefault(name, set()).add(loc[1])
        else:
            rest.pop(name, None)
    for name, indices in bad_items.items():
        if name in rest:
            rest[name] = [v for i, v in enumerate(rest[name]) if i not in indices]
    ident = spec.id_field
    if ident not in rest and (ident in data or spec.fields[ident].required):
        return None
    absent = [name for name, f in spec.fields.items() if f.required and name not in rest and name in _STAND_INS]
    from .models import model

    try:
        fields = model(kind, spec).model_validate({**rest, **{n: _STAND_INS[n] for n in absent}}).model_dump()
    except Exception:
        return None
    for name in absent:
        fields[name] = None
    return fields
