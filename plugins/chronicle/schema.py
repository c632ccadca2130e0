"""The card schema as pydantic models: what `cards.validate` checks front matter against.

Imported only when a card has to be validated, i.e. its front matter is new or changed
since the last run: importing pydantic and building the models takes longer than checking
an unchanged book does.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, field_validator

from .cards import ID_RELATIONS, RELATIONS, SLUG_RE, as_list, check_date

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


def _slug(value: Any) -> Any:
    if isinstance(value, str) and not SLUG_RE.match(value):
        raise ValueError(f"'{value}' is not a slug (letters, digits, '.', '_', '-')")
    return value


Slug = Annotated[str, BeforeValidator(_slug)]
SlugList = Annotated[list[Slug], BeforeValidator(as_list)]
StrList = Annotated[list[str], BeforeValidator(as_list)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=True)


class EventSchema(_Strict):
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
                for t in as_list(target):
                    if not isinstance(t, str) or not SLUG_RE.match(t):
                        raise ValueError(f"'{key}' takes event ids, got {t!r}")
            elif not isinstance(target, str):
                raise ValueError("'demonstrates' takes a free label")
        return value


class ConceptSchema(_Strict):
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


SCHEMAS: dict[str, type[_Strict]] = {"event": EventSchema, "concept": ConceptSchema}
