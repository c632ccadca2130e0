"""Event and concept cards: plain objects, built from front matter that schema.py validated.

Validation (pydantic) runs only for a card whose front matter is new or changed: the fact
cache keeps what it made of the others (see book._card), so an unchanged book is checked
without importing pydantic at all. Errors are (line, message) pairs naming the field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from .frontmatter import FrontMatter, date_text

SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
ID_RELATIONS = ("enabled_by", "enables", "influences", "influenced_by")
RELATIONS = (*ID_RELATIONS, "demonstrates")
# Fields a translation may set in its own front matter; everything else is structural.
LOCALIZED_FIELDS = ("title", "organization", "concept_name", "translated_from", "summary")

CardKind = Literal["event", "concept"]
# What validation made of one card's front matter, as the cache keeps it: the card's fields
# (None if invalid) and the errors as (line, message).
Result = tuple["dict[str, Any] | None", list[tuple[int, str]]]


def as_list(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, (str, int)):
        return [value]
    return value


def check_date(value: Any) -> str:
    text = date_text(value)
    m = DATE_RE.match(text)
    if not m:
        raise ValueError(f"'{text}' is not a date: write YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = m.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise ValueError(f"'{text}' is not a real date ({exc})") from None
    return text


@dataclass
class EventCard:
    """An event card's fields (design.md, "Cards"), as validated."""

    event_id: str
    date: str | None  # None: the card's date is broken (reported), so it has no place in time
    title: str | None  # None: broken (reported); the card is titled by its heading
    organization: str | None = None
    event_type: str | None = None
    significance_level: str | None = None
    verification_status: str | None = None
    sources: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    causal_connections: list[dict[str, Any]] = field(default_factory=list)
    technical_concepts: list[str] = field(default_factory=list)
    chapter_id: str | None = None

    def relations(self) -> list[tuple[str, str, int]]:
        """(relation, target, index in causal_connections) for every id relation."""
        out: list[tuple[str, str, int]] = []
        for i, item in enumerate(self.causal_connections):
            for key, target in item.items():
                if key in ID_RELATIONS:
                    out.extend((key, t, i) for t in as_list(target))
        return out

    def sort_key(self) -> tuple[int, int, int]:
        if self.date is None:
            return 9999, 99, 99
        y, m, d = [*self.date.split("-"), "0", "0"][:3]
        return int(y), int(m), int(d)


@dataclass
class ConceptCard:
    """A concept card's fields, as validated."""

    concept_id: str | None = None
    title: str | None = None
    concept_name_zh: str | None = None
    concept_name_en: str | None = None
    related_concepts: list[str] = field(default_factory=list)
    introduced: int | None = None
    sources: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


CARDS: dict[str, type] = {"event": EventCard, "concept": ConceptCard}


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


def make(kind: CardKind, result: Result) -> EventCard | ConceptCard | None:
    """The card a validation result describes (None if the front matter was invalid)."""
    fields = result[0]
    return None if fields is None else CARDS[kind](**fields)


def prepare() -> None:
    """Import the schema ahead of validation (pydantic takes a quarter of a second to import
    and build the models): the CLI does it while other processes read files."""
    from . import schema  # noqa: F401


def validate(kind: CardKind, data: dict[str, Any], fm: FrontMatter) -> Result:
    """Validate front matter against the schema of KIND; errors name the field and its line."""
    from pydantic import ValidationError

    from .schema import SCHEMAS

    model = SCHEMAS[kind]
    try:
        return model.model_validate(data).model_dump(), []
    except ValidationError as exc:
        out: list[tuple[int, str]] = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            name = ".".join(str(p) for p in loc) or "front matter"
            if err["type"] == "extra_forbidden":
                known = ", ".join(model.model_fields)
                msg = f"unknown field '{name}' (known fields: {known})"
                line = fm.line_of(*loc, "__key__") if (*loc, "__key__") in fm.lines else fm.line_of(*loc)
            elif err["type"] == "missing":
                msg = f"required field '{name}' is missing"
                line = 2
            else:
                text = str(err["msg"]).removeprefix("Value error, ")
                msg = f"field '{name}': {text}"
                line = fm.line_of(*loc)
            out.append((line, msg))
        return _recover(model, data, exc.errors()), out


# Stand-ins, for validation only, for a required field that is broken: the card keeps its id
# and every valid field, and the field itself is None (an event without a date is left out of
# the timeline and the graph, a card without a title is titled by its heading).
_STAND_INS = {"date": "2000", "title": "-"}


def _recover(model: Any, data: dict[str, Any], errors: list[Any]) -> dict[str, Any] | None:
    """The card without its broken fields, or None when its id is one of them (or missing):
    one bad field is reported at its line, and hides nothing else."""
    bad = {err["loc"][0] for err in errors if err["loc"]}
    rest = {k: v for k, v in data.items() if k not in bad}
    absent = [name for name in _STAND_INS if name in model.model_fields
              and model.model_fields[name].is_required() and name not in rest]
    ident = next((name for name in ("event_id", "concept_id") if name in model.model_fields), "")
    if ident in bad or (ident and model.model_fields[ident].is_required() and ident not in rest):
        return None
    try:
        fields = model.model_validate({**rest, **{name: _STAND_INS[name] for name in absent}}).model_dump()
    except Exception:
        return None
    for name in absent:
        fields[name] = None
    return fields
