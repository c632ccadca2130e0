"""Pydantic models built from the declared schema (schema.py): what validates a card.

Imported only when a card has to be validated, i.e. its front matter is new or changed
since the last run: importing pydantic and building the models takes longer than checking
an unchanged book does. Each field is its own annotated type, and list fields validate item
by item, so pydantic reports every bad field and every bad item with its place (`loc`):
cards.validate turns each into one problem at its line and keeps everything else.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, create_model

from . import schema as s

_SCALARS = {
    "string": s.check_string,
    "integer": s.check_integer,
    "boolean": s.check_boolean,
    "date": s.check_date,
    "year": s.check_year,
    "year_range": s.check_year_range,
    "url": s.check_url,
    "slug": s.check_slug,
    "chapter": s.check_slug,
}


class _Card(BaseModel):
    # Undeclared fields are taken out before validation (cards.validate reports them as the
    # book's `unknown_fields` says); what reaches the model is declared.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


def _annotation(spec: s.FieldSpec, kind: s.KindSchema) -> Any:
    if spec.type in _SCALARS:
        return Annotated[Any, BeforeValidator(_SCALARS[spec.type])]
    if spec.type == "enum":
        return Annotated[Any, BeforeValidator(s.check_enum(spec.values))]
    if spec.type in ("strings", "sources"):
        return Annotated[list[Annotated[Any, BeforeValidator(s.check_text_item)]], BeforeValidator(s.as_list)]
    if spec.type in s.ID_TYPES:
        return Annotated[list[Annotated[Any, BeforeValidator(s.check_slug)]], BeforeValidator(s.as_list)]
    if spec.type == "connections":
        item = Annotated[Any, BeforeValidator(s.check_connection(kind))]
        return Annotated[list[item], BeforeValidator(s.connections_list)]  # type: ignore[valid-type]
    raise AssertionError(spec.type)


_MODELS: dict[str, type[BaseModel]] = {}


def model(kind_name: str, kind: s.KindSchema) -> type[BaseModel]:
    """The model of one kind of card (kept: a book has one schema, built once per process)."""
    key = f"{kind_name} {kind!r}"
    if key not in _MODELS:
        _MODELS[key] = _build(kind_name, kind)
    return _MODELS[key]


def _build(kind_name: str, kind: s.KindSchema) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for name, spec in kind.fields.items():
        default: Any = ... if spec.required else ([] if spec.is_list else None)
        fields[name] = (_annotation(spec, kind), default)
    return create_model(f"{kind_name.title()}Card", __base__=_Card, **fields)
