"""A book extends the card schema in mkdocs.yml (design.md, "Extending the schema"): the check,
the build, the card pages and `chronicle schema` all follow the same declaration."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import MINI_BOOK, MKDOCS_YML, build, check, copy_sample_book, write_book

REPO = Path(__file__).resolve().parents[1]

SCHEMA_OPTIONS = """\
  - chronicle:
      unknown_fields: {unknown}
      schema:
        event:
          fields:
            category: string
            impact: {{enum: [low, medium, high], label: {{zh: 影响, en: Impact}}}}
            parameters: {{type: integer, label: {{zh: 参数量, en: Parameters}}}}
            open_weights: boolean
            announced: date
            homepage: url
            aliases: strings
            follow_up: event
            key_concept: concept
            see_also: id
          relations: [triggers, response_to]
          labels: [represents]
          enums:
            event_type: [standard_release]
        concept:
          fields: {{introduced: year_range, era: year, difficulty: string}}
        page:
          references:
            key_events: event
            key_concepts: concept
"""


def _yml(unknown: str = "error") -> str:
    return MKDOCS_YML.replace("  - chronicle\n", SCHEMA_OPTIONS.format(unknown=unknown))


EXTENDED_EVENT = """
        ---
        event_id: evt-b
        date: 2019-05
        title: 事件乙
        category: release
        impact: high
        parameters: 774
        open_weights: true
        announced: 2019-05-03
        homepage: https://example.org/gpt-2
        aliases: [GPT-2 medium]
        follow_up: evt-a
        key_concept: concept-x
        see_also: intro-chapter
        event_type: standard_release
        causal_connections:
          - enabled_by: evt-a
          - triggers: [evt-a]
          - represents: a free label
        ---
        # 事件乙

        只有中文。
        """

EXTENDED_CONCEPT = MINI_BOOK["knowledge/concepts/concept-x.md"].replace(
    "introduced: 2019", "introduced: 2017-2022\n        era: 2019\n        difficulty: hard")

CHAPTER = MINI_BOOK["manuscript/01-intro/intro.md"].replace(
    "id: intro-chapter", "id: intro-chapter\n        key_events: [evt-a, evt-b]\n        key_concepts: concept-x")


def _book(tmp_path: Path, unknown: str = "error", **changes: str) -> Path:
    files = dict(MINI_BOOK)
    files["knowledge/events/evt-b.md"] = EXTENDED_EVENT
    files["knowledge/concepts/concept-x.md"] = EXTENDED_CONCEPT
    files["manuscript/01-intro/intro.md"] = CHAPTER
    files.update(changes)
    return write_book(tmp_path / "b", files, _yml(unknown))


def _problems(root: Path, *args: str) -> tuple[int, list[dict]]:
    proc = check(root, "--format", "json", *args)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout)["problems"]


def _errors(problems: list[dict]) -> list[tuple[str, int, str]]:
    return [(p["file"], p["line"], p["code"]) for p in problems if p["severity"] == "error"]


def test_declared_fields_relations_labels_and_enum_values_check_clean(tmp_path):
    root = _book(tmp_path)
    code, problems = _problems(root)
    assert _errors(problems) == [] and code == 0, problems
    # Without the declaration, each of them is an error.
    (root / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    code, problems = _problems(root)
    codes = {(p["line"], p["code"]) for p in problems if p["file"] == "knowledge/events/evt-b.md"}
    assert code == 1
    assert {(5, "unknown-field"), (14, "unknown-field"), (15, "frontmatter-field"), (18, "frontmatter-field"),
            (19, "frontmatter-field")} <= codes, problems


@pytest.mark.parametrize("unknown,exit_code,severity", [
    ("error", 1, "error"), ("warning", 0, "warning"), ("ignore", 0, None)])
def test_an_undeclared_field_is_what_unknown_fields_says(tmp_path, unknown, exit_code, severity):
    event = EXTENDED_EVENT.replace("category: release", "category: release\n        colour: red")
    root = _book(tmp_path, unknown, **{"knowledge/events/evt-b.md": event})
    code, problems = _problems(root)
    found = [(p["line"], p["column"], p["severity"]) for p in problems if p["code"] == "unknown-field"]
    assert found == ([(6, 1, severity)] if severity else []), problems
    assert code == exit_code
    assert [p for p in problems if p["severity"] == "error" and p["code"] != "unknown-field"] == []
    if severity == "warning":
        assert check(root, "--strict").returncode == 1


# (field, bad value, code): each declared type, broken, is one problem at its own line.
BROKEN = [
    ("category", "[a, b]", "frontmatter-field"),
    ("impact", "enormous", "frontmatter-field"),
    ("parameters", "many", "frontmatter-field"),
    ("open_weights", "maybe", "frontmatter-field"),
    ("announced", "2019-13-03", "frontmatter-field"),
    ("homepage", "javascript:alert(1)", "frontmatter-field"),
    ("aliases", "{a: 1}", "frontmatter-field"),
    ("follow_up", "no-such-event", "unknown-reference"),
    ("follow_up", "concept-x", "unknown-reference"),  # a concept is not an event
    ("key_concept", "evt-a", "unknown-reference"),
    ("see_also", "nothing-here", "unknown-reference"),
    ("event_type", "rumour", "frontmatter-field"),
]


@pytest.mark.parametrize("field,value,code", BROKEN, ids=[f"{f}={v}" for f, v, _ in BROKEN])
def test_each_declared_field_broken_is_one_problem_at_its_line(tmp_path, field, value, code):
    lines = EXTENDED_EVENT.split("\n")
    at = next(i for i, ln in enumerate(lines) if ln.strip().startswith(f"{field}:"))
    lines[at] = f"        {field}: {value}"
    root = _book(tmp_path, **{"knowledge/events/evt-b.md": "\n".join(lines)})
    code_, problems = _problems(root)
    line = at  # the text starts with a newline that write_book drops
    assert _errors(problems) == [("knowledge/events/evt-b.md", line, code)], problems
    p = next(p for p in problems if p["severity"] == "error")
    assert p["column"] == len(f"{field}: ") + 1 or code == "unknown-reference", p
    assert code_ == 1


@pytest.mark.parametrize("value,ok", [("2017-2022", True), ("2017", True), (2017, True), ("2022-2017", False),
                                      ("17-22", False), ("[2017]", False)])
def test_year_range(tmp_path, value, ok):
    concept = EXTENDED_CONCEPT.replace("introduced: 2017-2022", f"introduced: {value}")
    root = _book(tmp_path, **{"knowledge/concepts/concept-x.md": concept})
    _code, problems = _problems(root)
    assert _errors(problems) == ([] if ok else [("knowledge/concepts/concept-x.md", 5, "frontmatter-field")])


def test_every_bad_relation_is_reported_and_the_good_ones_kept(tmp_path):
    event = EXTENDED_EVENT.replace(
        "          - triggers: [evt-a]\n",
        "          - triggers: [evt-a]\n          - causes: [evt-a]\n          - triggers: [{x: 1}]\n"
        "          - response_to: [nowhere]\n")
    root = _book(tmp_path, **{"knowledge/events/evt-b.md": event})
    _code, problems = _problems(root)
    assert sorted(_errors(problems)) == [
        ("knowledge/events/evt-b.md", 19, "frontmatter-field"),  # causes: not a relation
        ("knowledge/events/evt-b.md", 20, "frontmatter-field"),  # triggers takes ids
        ("knowledge/events/evt-b.md", 21, "unknown-reference"),  # names no event
    ], problems
    # evt-b keeps its good relations: the enabled_by edge is still drawn.
    result = build(root, strict=False)
    graph = result.page("graph/")
    assert "→ <em>促成</em> →" in graph or "促成" in graph


def test_page_fields_that_name_cards_are_checked(tmp_path):
    chapter = CHAPTER.replace("key_events: [evt-a, evt-b]", "key_events: [evt-a, no-such-event, concept-x]")
    root = _book(tmp_path, **{"manuscript/01-intro/intro.md": chapter})
    _code, problems = _problems(root)
    assert _errors(problems) == [("manuscript/01-intro/intro.md", 3, "unknown-reference")] * 2, problems
    targets = sorted(p["target"] for p in problems if p["code"] == "unknown-reference")
    assert targets == ["concept-x", "no-such-event"]


def test_declared_fields_show_in_the_card_panel_in_both_languages(tmp_path):
    root = _book(tmp_path)
    result = build(root, strict=True)
    assert result.returncode == 0, result.output
    zh = result.page("knowledge/events/evt-b/")
    en = result.page("en/knowledge/events/evt-b/")
    panel_zh = zh[zh.index('class="chronicle-meta"'):]
    panel_zh = panel_zh[:panel_zh.index("</dl>")]
    panel_en = en[en.index('class="chronicle-meta"'):]
    panel_en = panel_en[:panel_en.index("</dl>")]
    assert "<dt>参数量</dt><dd>774</dd>" in panel_zh and "<dt>Parameters</dt><dd>774</dd>" in panel_en
    assert "<dt>影响</dt>" in panel_zh and "<dt>Impact</dt>" in panel_en
    assert "<dt>category</dt><dd>release</dd>" in panel_zh
    assert "<dt>open weights</dt><dd>是</dd>" in panel_zh and "<dt>open weights</dt><dd>yes</dd>" in panel_en
    # Ids are links to what they name, titled in the reader's language.
    follow = re.search(r"<dt>follow up</dt><dd>(.*?)</dd>", panel_en).group(1)
    assert ">Event A</a>" in follow and 'href="../evt-a/"' in follow, follow
    assert re.search(r'<dt>homepage</dt><dd><a href="https://example.org/gpt-2">', panel_zh)
    concept = result.page("knowledge/concepts/concept-x/")
    assert "2017-2022" in concept
    # A relation the book declared is drawn, named as declared.
    graph = result.page("en/graph/")
    assert "triggers" in graph


def test_a_declared_field_is_escaped(tmp_path):
    event = EXTENDED_EVENT.replace("category: release", "category: \"<script>alert(1)</script>\"")
    root = _book(tmp_path, **{"knowledge/events/evt-b.md": event})
    result = build(root, strict=True)
    page = result.page("knowledge/events/evt-b/")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("block,message", [
    ("schema: {event: {fields: {x: colour}}}", "schema.event.fields.x: unknown type 'colour'"),
    ("schema: {event: {enums: {organization: [x]}}}", "schema.event.enums.organization: not an enum field"),
    ("schema: {concept: {relations: [x]}}", "only events have"),
    ("schema: {event: {relations: [enables]}}", "'enables' is a built-in relation"),
    ("schema: {events: {}}", "schema.events: unknown kind"),
    ("schema: {event: {fields: {event_id: string}}}", "the id field cannot be redeclared"),
    ("schema: {page: {references: {key_events: chapter}}}", "schema.page.references.key_events"),
    ("unknown_fields: loud", "unknown_fields"),
])
def test_a_bad_schema_option_is_a_configuration_error_in_both_front_ends(tmp_path, block, message):
    yml = MKDOCS_YML.replace("  - chronicle\n", f"  - chronicle:\n      {block}\n")
    root = write_book(tmp_path / "b", MINI_BOOK, yml)
    proc = check(root)
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    result = build(root, strict=False)
    assert result.returncode == 1 and message in result.output and "Traceback" not in result.output


def _schema(root: Path) -> dict:
    proc = subprocess.run([sys.executable, "-m", "chronicle.cli", "schema", str(root)], capture_output=True,
                          text=True, check=True)
    return json.loads(proc.stdout)


def _front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text.split("---\n")[1])
    # As an editor's YAML support hands it to JSON Schema: dates as text.
    return json.loads(json.dumps(data, default=str))


def test_chronicle_schema_accepts_every_card_of_the_sample_book_and_rejects_a_bad_date():
    doc = _schema(REPO)
    validator = jsonschema.Draft202012Validator(doc)
    jsonschema.Draft202012Validator.check_schema(doc)
    cards = [p for folder in ("knowledge", "research") if (REPO / folder).is_dir()
             for p in sorted((REPO / folder).rglob("*.md"))
             if not re.search(r"\.[a-z]{2}\.md$", p.name) and p.read_text(encoding="utf-8").startswith("---\n")
             and re.search(r"^(event_id|concept_id):", p.read_text(encoding="utf-8"), re.M)]
    assert len(cards) >= 10
    for path in cards:
        errors = list(validator.iter_errors(_front_matter(path)))
        assert not errors, (path, [e.message for e in errors])
    card = _front_matter(REPO / "knowledge/events/gpt2-774m-2019.md")
    assert not validator.is_valid({**card, "date": "2019-13-03"})
    assert not validator.is_valid({**card, "colour": "red"})
    assert not validator.is_valid({**card, "significance_level": "huge"})
    assert not validator.is_valid({**card, "causal_connections": [{"causes": ["x"]}]})
    assert not validator.is_valid({k: v for k, v in card.items() if k != "title"})


def test_chronicle_schema_follows_the_book_declaration(tmp_path):
    root = _book(tmp_path)
    validator = jsonschema.Draft202012Validator(_schema(root))
    good = {"event_id": "e", "date": "2019", "title": "t", "impact": "high", "parameters": 5,
            "causal_connections": [{"triggers": ["a"]}, {"represents": "x"}], "event_type": "standard_release"}
    assert validator.is_valid(good)
    assert not validator.is_valid({**good, "impact": "huge"})
    assert not validator.is_valid({**good, "parameters": "many"})
    assert validator.is_valid({"concept_id": "c", "introduced": "2017-2022"})
    assert not validator.is_valid({"concept_id": "c", "introduced": "2017-22"})
    loose = _book(tmp_path / "loose", "warning")
    assert jsonschema.Draft202012Validator(_schema(loose)).is_valid({**good, "colour": "red"})


def test_the_readme_documents_every_problem_code_and_type():
    from chronicle.problems import CODES
    from chronicle.schema import PUBLIC_TYPES

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Card fields"):]
    assert [c for c in CODES if f"| `{c}` |" not in section] == []
    assert [t for t in PUBLIC_TYPES if f"`{t}`" not in section] == []
    assert "design.md" not in "".join(CODES.values())


def test_a_copy_of_the_sample_book_with_one_field_of_each_kind_broken(tmp_path):
    """Exactly the broken fields are reported, each at its line, by the check and the build."""
    root = copy_sample_book(tmp_path / "book")
    event, concept = root / "knowledge/events/gpt2-774m-2019.md", root / "knowledge/concepts/staged-release.md"
    text = event.read_text(encoding="utf-8")
    for old, new in [("date: 2019-08-20", "date: 2019-13-03"),  # a date
                     ('parameters: "774M"', "parameters: [774]"),  # a declared string
                     ("significance_level: major", "significance_level: huge"),  # an enum
                     ("  - enabled_by: [gpt2-2019-05]", "  - caused_by: [gpt2-2019-05]"),  # a relation
                     ("technical_concepts: [staged-release,", "technical_concepts: [no-such-concept,")]:
        assert old in text
        text = text.replace(old, new)
    event.write_text(text.replace("chapter_id:", "colour: red\nchapter_id:"), encoding="utf-8")
    concept.write_text(concept.read_text(encoding="utf-8").replace("introduced: 2019", "introduced: soon"),
                       encoding="utf-8")
    expected = {
        ("knowledge/events/gpt2-774m-2019.md", 3, "frontmatter-field"),
        ("knowledge/events/gpt2-774m-2019.md", 7, "frontmatter-field"),
        ("knowledge/events/gpt2-774m-2019.md", 9, "frontmatter-field"),
        ("knowledge/events/gpt2-774m-2019.md", 14, "frontmatter-field"),
        ("knowledge/events/gpt2-774m-2019.md", 17, "unknown-reference"),
        ("knowledge/events/gpt2-774m-2019.md", 18, "unknown-field"),
        ("knowledge/concepts/staged-release.md", 6, "frontmatter-field"),
    }
    _code, problems = _problems(root)
    assert sorted(_errors(problems)) == sorted(expected), problems
    result = build(root, strict=True)
    assert result.returncode == 1 and "Traceback" not in result.output
    reported = set(re.findall(r"chronicle: ([\w/.-]+\.md):(\d+):\d+: error ([\w-]+) ", result.output))
    assert {(f, int(n), c) for f, n, c in reported} == expected, result.output
