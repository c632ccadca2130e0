"""A card with a bad field keeps its id and every valid field: one problem, at that field."""

from __future__ import annotations

import json

import pytest
from conftest import MINI_BOOK, build, check, write_book

EVENT_FIELDS = {
    "date": "[2019]",
    "title": "12345",
    "organization": "[x]",
    "event_type": "rumour",
    "significance_level": "huge",
    "verification_status": "maybe",
    "sources": "{a: 1}",
    "tags": "5",
    "causal_connections": "5",
    "technical_concepts": "[Not A Slug!]",
    "chapter_id": "[x]",
    "unknown_field": "x",
}


def _with(card: str, field: str, value: str) -> tuple[str, int]:
    """CARD (dedented front matter) with FIELD set to VALUE; and the line it is on."""
    lines = [ln for ln in card.strip("\n").split("\n") if not ln.strip().startswith(f"{field}:")]
    if field == "causal_connections":
        lines = [ln for ln in lines if "enabled_by" not in ln]
    lines.insert(3, f"        {field}: {value}")
    return "\n".join(lines) + "\n", 4


@pytest.mark.parametrize("field", sorted(EVENT_FIELDS))
def test_one_bad_event_field_is_one_problem_at_its_line(tmp_path, field):
    files = dict(MINI_BOOK)
    files["knowledge/events/evt-b.md"], line = _with(MINI_BOOK["knowledge/events/evt-b.md"], field,
                                                     EVENT_FIELDS[field])
    root = write_book(tmp_path / "b", files)
    data = json.loads(check(root, "--format", "json").stdout)
    errors = [(p["file"], p["line"], p["code"]) for p in data["problems"] if p["severity"] == "error"]
    code = "unknown-field" if field == "unknown_field" else "frontmatter-field"
    assert errors == [("knowledge/events/evt-b.md", line, code)], data["problems"]


CONCEPT_FIELDS = {
    "concept_id": "[not, a, slug]",
    "title": "[x]",
    "concept_name_zh": "{a: 1}",
    "concept_name_en": "5",
    "related_concepts": "[Not A Slug!]",
    "introduced": "next-year",
    "sources": "{a: 1}",
    "tags": "{a: 1}",
    "unknown_field": "x",
}


@pytest.mark.parametrize("field", sorted(CONCEPT_FIELDS))
def test_one_bad_concept_field_is_one_problem_at_its_line(tmp_path, field):
    files = dict(MINI_BOOK)
    files["knowledge/concepts/concept-x.md"], line = _with(MINI_BOOK["knowledge/concepts/concept-x.md"], field,
                                                           CONCEPT_FIELDS[field])
    root = write_book(tmp_path / "b", files)
    data = json.loads(check(root, "--format", "json").stdout)
    errors = [(p["file"], p["line"], p["code"]) for p in data["problems"] if p["severity"] == "error"]
    code = "unknown-field" if field == "unknown_field" else "frontmatter-field"
    if field == "concept_id":
        # Without its id the card names nothing: the links to it are reported too, and only they.
        assert ("knowledge/concepts/concept-x.md", line, code) in errors
        assert {c for _f, _l, c in errors} <= {code, "unknown-id", "unknown-reference"}, data["problems"]
        return
    assert errors == [("knowledge/concepts/concept-x.md", line, code)], data["problems"]


def test_a_card_whose_date_is_broken_is_still_linked_but_not_placed_in_time(tmp_path):
    files = dict(MINI_BOOK)
    files["knowledge/events/evt-b.md"], _line = _with(MINI_BOOK["knowledge/events/evt-b.md"], "date", "[2019]")
    root = write_book(tmp_path / "b", files)
    assert build(root, strict=True).returncode == 1
    result = build(root, strict=False)
    assert result.returncode == 0 and "Traceback" not in result.output
    chapter = result.page("01-intro/intro/")
    assert "事件乙" in chapter  # [[evt-b]] keeps the card's title
    assert "事件乙" in result.page("knowledge/events/evt-b/")
    timeline = result.page("timeline/")
    article = timeline[timeline.index("<article"):timeline.index("</article>")]
    assert "事件乙" not in article and "事件甲" in article  # the nav still lists the card
