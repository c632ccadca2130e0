"""The card schema: events and concepts, validated with pydantic.

Errors are turned into Problems that name the file, the field and its line.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, field_validator

from .frontmatter import FrontMatter, date_text

SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

EventType = Literal[
    "paper_publication",
    "model_release",
    "product_launch",
    "company_announcement",
    "technical_breakthrough",
    "research_publication",
    "policy",
]
Significance = Literal["critical", "major", "notable", "minor"]
Verification = Literal[
    "verified", "partially_verified", "single_source", "reported", "disputed", "unverified"
]
ID_RELATIONS = ("enabled_by", "enables", "influences", "influenced_by")
RELATIONS = (*ID_RELATIONS, "demonstrates")


def _as_list(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, (str, int)):
        return [value]
    return value


def _slug(value: Any) -> Any:
    if isinstance(value, str) and not SLUG_RE.match(value):
        raise ValueError(f"'{value}' is not a slug (letters, digits, '.', '_', '-')")
    return value


Slug = Annotated[str, BeforeValidator(_slug)]
SlugList = Annotated[list[Slug], BeforeValidator(_as_list)]
StrList = Annotated[list[str], BeforeValidator(_as_list)]


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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=True)


class EventCard(_Strict):
    """Front matter of an event card (design.md, "Cards")."""

    event_id: Slug
    date: Annotated[str, BeforeValidator(check_date)]
    title: str
    organization: str | None = None
    event_type: EventType | None = None
    significance_level: Significance | None = None
    verification_status: Verification | None = None
    sources: StrList = []
    tags: StrList = []
    causal_connections: list[dict[str, Any]] = []
    technical_concepts: SlugList = []
    chapter_id: Slug | None = None

    @field_validator("causal_connections", mode="before")
    @classmethod
    def _connections(cls, value: Any) -> Any:
        # The real book writes a list of one-key maps; a plain map means the same.
        if value is None:
            return []
        if isinstance(value, dict):
            return [{k: v} for k, v in value.items()]
        if not isinstance(value, list):
            raise ValueError("expected a list of one-key maps or a map")
        for item in value:
            if not isinstance(item, dict) or len(item) != 1:
                raise ValueError("each entry must be a one-key map such as '- enables: [id]'")
            (key, target), = item.items()
            if key not in RELATIONS:
                raise ValueError(f"unknown relation '{key}': use one of {', '.join(RELATIONS)}")
            if key in ID_RELATIONS:
                for t in _as_list(target):
                    if not isinstance(t, str) or not SLUG_RE.match(t):
                        raise ValueError(f"'{key}' takes event ids, got {t!r}")
            elif not isinstance(target, str):
                raise ValueError("'demonstrates' takes a free label")
        return value

    def relations(self) -> list[tuple[str, str, int]]:
        """(relation, target, index in causal_connections) for every id relation."""
        out: list[tuple[str, str, int]] = []
        for i, item in enumerate(self.causal_connections):
            for key, target in item.items():
                if key in ID_RELATIONS:
                    out.extend((key, t, i) for t in _as_list(target))
        return out

    def sort_key(self) -> tuple[int, int, int]:
        y, m, d = [*self.date.split("-"), "0", "0"][:3]
        return int(y), int(m), int(d)


class ConceptCard(_Strict):
    """Front matter of a concept card."""

    concept_id: Slug | None = None
    title: str | None = None
    concept_name_zh: str | None = None
    concept_name_en: str | None = None
    related_concepts: SlugList = []
    introduced: int | None = None
    sources: StrList = []
    tags: StrList = []

    @field_validator("introduced", mode="before")
    @classmethod
    def _year(cls, value: Any) -> Any:
        if isinstance(value, str) and value.isdigit():
            return int(value)
        if isinstance(value, bool) or (value is not None and not isinstance(value, int)):
            raise ValueError("expected a year such as 2019")
        return value


# Fields a translation may set in its own front matter; everything else is structural.
LOCALIZED_FIELDS = ("title", "organization", "concept_name", "translated_from", "summary")
def split_localized(data: dict[str, Any], languages: list[str]) -> tuple[dict[str, Any], dict[str, dict]]:
    """Take `title_en`-style keys out of a card's front matter, by language."""
    rest: dict[str, Any] = {}
    localized: dict[str, dict[str, Any]] = {}
    for key, value in data.items():
        base, _, lang = str(key).rpartition("_")
        if base in ("title", "organization") and lang in languages:
            localized.setdefault(lang, {})[base] = value
        else:
            rest[key] = value
    return rest, localized


def validate(model: type[_Strict], data: dict[str, Any], fm: FrontMatter) -> tuple[Any, list[tuple[int, str]]]:
    """Validate front matter; problems as (line, message) naming the field."""
    try:
        return model.model_validate(data), []
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
        return None, out
