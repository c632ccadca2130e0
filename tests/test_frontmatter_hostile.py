"""Hostile front matter: every field of every kind of file, of any type, is one message at its
line, never a traceback, a hang or a crash, in `chronicle check` and in `mkdocs build` alike."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from chronicle import frontmatter, loading
from chronicle.checks import check as check_book
from chronicle.settings import load_settings
from conftest import MINI_BOOK, build, check, write_book

EV = "knowledge/events"
CO = "knowledge/concepts"
CH = "manuscript/02-cases"
BOMB = "a0: &a0 [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9))


def deep(n: int) -> str:
    return "[" * n + "]" * n


def event(name: str, *lines: str, head: tuple[str, ...] | None = None) -> str:
    """An event card whose front matter is HEAD (valid fields by default) then LINES: the
    first of LINES is on line 5 of the file unless HEAD says otherwise."""
    head = (f"event_id: {name}", "date: 2019", "title: T") if head is None else head
    return "---\n" + "".join(f"{x}\n" for x in (*head, *lines)) + "---\n# Heading\n\nText.\n"


def page(*lines: str) -> str:
    """A page whose front matter's first line is line 2."""
    return "---\n" + "".join(f"{x}\n" for x in lines) + "---\n# Heading\n\nText.\n"


# name -> (files: path -> text or bytes, expected: {(path, line, code)}). Each case has files of
# its own, so that all of them live in one book; the book is MINI_BOOK, which has no problem.
CASES: dict[str, tuple[dict[str, str | bytes], set[tuple[str, int, str]]]] = {
    # pages
    "page-title-int": ({f"{CH}/title-int.md": page("title: 12345")}, {(f"{CH}/title-int.md", 2, "frontmatter-field")}),
    "page-title-list": ({f"{CH}/title-list.md": page("title: [a, b]")},
                        {(f"{CH}/title-list.md", 2, "frontmatter-field")}),
    "page-title-map": ({f"{CH}/title-map.md": page("x: 1", "title: {a: 1}")},
                       {(f"{CH}/title-map.md", 3, "frontmatter-field")}),
    "page-id-int": ({f"{CH}/id-int.md": page("id: 5")}, {(f"{CH}/id-int.md", 2, "frontmatter-field")}),
    "page-id-list": ({f"{CH}/id-list.md": page("id: [a]")}, {(f"{CH}/id-list.md", 2, "frontmatter-field")}),
    "page-other-fields": ({f"{CH}/other.md": page("tags: 5", "date: [1]", "causal_connections: 5",
                                                   "sources: {a: b}")}, set()),  # not ours on a page
    # the theme's fields: MkDocs or Material stop with a traceback on these
    "page-hide-int": ({f"{CH}/hide.md": page("hide: 5")}, {(f"{CH}/hide.md", 2, "frontmatter-field")}),
    "page-hide-ints": ({f"{CH}/hide2.md": page("hide: [toc, 5]")}, {(f"{CH}/hide2.md", 2, "frontmatter-field")}),
    "page-template-int": ({f"{CH}/tpl.md": page("template: 5")}, {(f"{CH}/tpl.md", 2, "frontmatter-field")}),
    "page-icon-list": ({f"{CH}/icon.md": page("icon: [a]")}, {(f"{CH}/icon.md", 2, "frontmatter-field")}),
    "page-search-int": ({f"{CH}/search.md": page("search: 5")}, {(f"{CH}/search.md", 2, "frontmatter-field")}),
    "page-description-map": ({f"{CH}/desc.md": page("description: {a: 1}")},
                             {(f"{CH}/desc.md", 2, "frontmatter-field")}),
    "card-hide-int": ({f"{EV}/c21.md": event("c21", "hide: 5")}, {(f"{EV}/c21.md", 5, "unknown-field")}),
    "page-null": ({f"{CH}/null.md": page("~")}, set()),
    "page-empty": ({f"{CH}/empty.md": "---\n---\n# Heading\n"}, set()),
    "page-list": ({f"{CH}/list.md": page("- a", "- b")}, {(f"{CH}/list.md", 2, "frontmatter-yaml")}),
    "page-scalar": ({f"{CH}/scalar.md": page("just text")}, {(f"{CH}/scalar.md", 2, "frontmatter-yaml")}),
    "page-bomb": ({f"{CH}/bomb.md": page("title: x", BOMB)}, {(f"{CH}/bomb.md", 4, "frontmatter-yaml")}),
    "page-merge-alias": ({f"{CH}/merge.md": page("base: &b {k: 1}", "m:", "  <<: *b")},
                         {(f"{CH}/merge.md", 4, "frontmatter-yaml")}),
    "page-deep-flow": ({f"{CH}/deep.md": page("title: x", f"a: {deep(1000)}")},
                       {(f"{CH}/deep.md", 3, "frontmatter-yaml")}),
    # libyaml's recursive composer (MkDocs' too) crashes the process on this one
    "page-deeper-flow": ({f"{CH}/deeper.md": page(f"a: {deep(100_000)}")},
                         {(f"{CH}/deeper.md", 2, "frontmatter-yaml")}),
    "page-deep-block": ({f"{CH}/block.md": page("a:", *(" " * i + f"k{i}:" for i in range(1, 40)))},
                        {(f"{CH}/block.md", 34, "frontmatter-yaml")}),
    "page-duplicate": ({f"{CH}/dup.md": page("title: a", "x: 1", "title: b")}, {(f"{CH}/dup.md", 4, "duplicate-key")}),
    "page-duplicate-nested": ({f"{CH}/dup2.md": page("m: {k: 1, j: 2, k: 3}")},
                              {(f"{CH}/dup2.md", 2, "duplicate-key")}),
    "page-yaml-error": ({f"{CH}/bad.md": page("a: [unclosed")}, {(f"{CH}/bad.md", 2, "frontmatter-yaml")}),
    "page-latin1": ({f"{CH}/latin.md": "# Title\n\nA café\n".encode("latin-1")}, {(f"{CH}/latin.md", 3, "encoding")}),
    "page-bom": ({f"{CH}/bom.md": b"\xef\xbb\xbf" + page("id: bom-page").encode()}, set()),
    "orphan": ({f"{CH}/orphan.en.md": "# Orphan\n"}, {(f"{CH}/orphan.en.md", 1, "orphan-translation")}),
    "page-translation-title": ({f"{CH}/tr.md": "# 标题\n", f"{CH}/tr.en.md": page("title: 7")},
                               {(f"{CH}/tr.en.md", 2, "frontmatter-field")}),
    "page-translated-from": ({f"{CH}/tf.md": "# 标题\n", f"{CH}/tf.en.md": page("translated_from: [a]")},
                             {(f"{CH}/tf.en.md", 2, "frontmatter-field")}),
    "page-translation-bomb": ({f"{CH}/tb.md": "# 标题\n", f"{CH}/tb.en.md": page("title: x", BOMB)},
                              {(f"{CH}/tb.en.md", 4, "frontmatter-yaml")}),
    "page-translation-latin1": ({f"{CH}/tl.md": "# 标题\n", f"{CH}/tl.en.md": b"# T\n\n\xff\n"},
                                {(f"{CH}/tl.en.md", 3, "encoding")}),
    # event cards: the fault is on line 5 unless said
    "card-title-int": ({f"{EV}/c1.md": event("c1", head=("event_id: c1", "date: 2019", "title: 12345"))},
                       {(f"{EV}/c1.md", 4, "frontmatter-field")}),
    "card-title-list": ({f"{EV}/c2.md": event("c2", head=("event_id: c2", "date: 2019", "title: [a, b]"))},
                        {(f"{EV}/c2.md", 4, "frontmatter-field")}),
    "card-title-map": ({f"{EV}/c3.md": event("c3", head=("event_id: c3", "date: 2019", "title: {a: 1}"))},
                       {(f"{EV}/c3.md", 4, "frontmatter-field")}),
    "card-id-int": ({f"{EV}/c4.md": event("c4", head=("event_id: 5", "date: 2019", "title: T"))},
                    {(f"{EV}/c4.md", 2, "frontmatter-field")}),
    "card-tags-int": ({f"{EV}/c5.md": event("c5", "tags: 5")}, {(f"{EV}/c5.md", 5, "frontmatter-field")}),
    "card-date-list": ({f"{EV}/c6.md": event("c6", head=("event_id: c6", "date: [1]", "title: T"))},
                       {(f"{EV}/c6.md", 3, "frontmatter-field")}),
    "card-connections-int": ({f"{EV}/c7.md": event("c7", "causal_connections: 5")},
                             {(f"{EV}/c7.md", 5, "frontmatter-field")}),
    "card-sources-map": ({f"{EV}/c8.md": event("c8", "sources: {a: b}")}, {(f"{EV}/c8.md", 5, "frontmatter-field")}),
    "card-translated-from": ({f"{EV}/c9.md": event("c9", "translated_from: 5")},
                             {(f"{EV}/c9.md", 5, "unknown-field")}),  # not a field of the original
    "card-title-en-int": ({f"{EV}/c10.md": event("c10", "title_en: 7")}, {(f"{EV}/c10.md", 5, "frontmatter-field")}),
    "card-org-en-list": ({f"{EV}/c11.md": event("c11", "organization_en: [a]")},
                         {(f"{EV}/c11.md", 5, "frontmatter-field")}),
    "card-null": ({f"{EV}/c12.md": "---\n~\n---\n# H\n"}, {(f"{EV}/c12.md", 2, "frontmatter-field")}),
    "card-list": ({f"{EV}/c13.md": "---\n- a\n---\n# H\n"}, {(f"{EV}/c13.md", 2, "frontmatter-yaml")}),
    "card-scalar": ({f"{EV}/c14.md": "---\n5\n---\n# H\n"}, {(f"{EV}/c14.md", 2, "frontmatter-yaml")}),
    "card-duplicate": ({f"{EV}/c15.md": event("c15", "title: again")}, {(f"{EV}/c15.md", 5, "duplicate-key")}),
    "card-bomb": ({f"{EV}/c16.md": event("c16", BOMB.rstrip("\n"))}, {(f"{EV}/c16.md", 6, "frontmatter-yaml")}),
    "card-deep": ({f"{EV}/c17.md": event("c17", f"causal_connections: [{{enables: {deep(500)}}}]")},
                  {(f"{EV}/c17.md", 5, "frontmatter-yaml")}),
    "card-bom": ({f"{EV}/c18.md": b"\xef\xbb\xbf" + event("c18").encode()}, set()),
    "card-latin1": ({f"{EV}/c19.md": event("c19", "organization: Café").encode("latin-1")},
                    {(f"{EV}/c19.md", 5, "encoding")}),
    "card-nested-any": ({f"{EV}/c20.md": event("c20", "causal_connections:", "  - demonstrates: [[[x]]]")},
                        {(f"{EV}/c20.md", 6, "frontmatter-field")}),
    # card translations
    "card-translation-title": ({f"{EV}/t1.md": event("t1"), f"{EV}/t1.en.md": page("title: 12345")},
                               {(f"{EV}/t1.en.md", 2, "frontmatter-field")}),
    "card-translation-org": ({f"{EV}/t2.md": event("t2"), f"{EV}/t2.en.md": page("title: T", "organization: [x]")},
                             {(f"{EV}/t2.en.md", 3, "frontmatter-field")}),
    "card-translation-list": ({f"{EV}/t3.md": event("t3"), f"{EV}/t3.en.md": page("- a")},
                              {(f"{EV}/t3.en.md", 2, "frontmatter-yaml")}),
    "card-translation-bomb": ({f"{EV}/t4.md": event("t4"), f"{EV}/t4.en.md": page("title: T", BOMB)},
                              {(f"{EV}/t4.en.md", 4, "frontmatter-yaml")}),
    "card-translation-structural": ({f"{EV}/t5.md": event("t5"), f"{EV}/t5.en.md": page("date: [1]")},
                                    {(f"{EV}/t5.en.md", 2, "translation-mismatch")}),
    "card-translation-duplicate": ({f"{EV}/t6.md": event("t6"), f"{EV}/t6.en.md": page("title: a", "title: b")},
                                   {(f"{EV}/t6.en.md", 3, "duplicate-key")}),
    "card-translation-translated-from": ({f"{EV}/t7.md": event("t7"),
                                          f"{EV}/t7.en.md": page("translated_from: {a: 1}")},
                                         {(f"{EV}/t7.en.md", 2, "frontmatter-field")}),
    # concept cards
    "concept-title-list": ({f"{CO}/k1.md": page("concept_id: k1", "title: [a]")},
                           {(f"{CO}/k1.md", 3, "frontmatter-field")}),
    "concept-name-int": ({f"{CO}/k2.md": page("concept_id: k2", "concept_name_en: 5")},
                         {(f"{CO}/k2.md", 3, "frontmatter-field")}),
    "concept-introduced-list": ({f"{CO}/k3.md": page("concept_id: k3", "introduced: [1]")},
                                {(f"{CO}/k3.md", 3, "frontmatter-field")}),
    "concept-id-map": ({f"{CO}/k4.md": page("concept_id: {a: 1}")}, {(f"{CO}/k4.md", 2, "frontmatter-field")}),
    "concept-title-en-map": ({f"{CO}/k5.md": page("concept_id: k5", "title_en: {a: 1}")},
                             {(f"{CO}/k5.md", 3, "frontmatter-field")}),
}

# Notices about translations (a new page has none) are not what these cases are about.
NOTICES = {"missing-translation", "untranslated-target", "stale-translation"}
LOG_RE = re.compile(r"WARNING\s+-\s+chronicle: (\S+?):(\d+):(\d+): (?:error|warning) ([a-z-]+) ")


def write_cases(root: Path, names: list[str]) -> Path:
    write_book(root, MINI_BOOK)
    (root / CH).mkdir(parents=True, exist_ok=True)
    (root / CH / "index.md").write_text("# 案例\n", encoding="utf-8")
    (root / CH / "index.en.md").write_text("# Cases\n", encoding="utf-8")
    for name in names:
        for rel, content in CASES[name][0].items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
    return root


def expected(names: list[str]) -> set[tuple[str, int, str]]:
    return set().union(*(CASES[n][1] for n in names))


def checked(root: Path) -> tuple[int, list[dict]]:
    proc = check(root, "--format", "json", "--no-cache")
    assert "Traceback" not in proc.stderr + proc.stdout
    problems = json.loads(proc.stdout)["problems"]
    return proc.returncode, [p for p in problems if p["code"] not in NOTICES]


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_case_alone_is_found_at_its_line(tmp_path, name):
    """In this process, through the core the CLI calls (the CLI itself: the test below)."""
    root = write_cases(tmp_path / "b", [name])
    start = time.perf_counter()
    settings = load_settings(str(root))
    problems = [p for p in check_book(loading.load(settings, use_cache=False)) if p.code not in NOTICES]
    assert time.perf_counter() - start < 10
    assert {(p.file, p.line, p.code) for p in problems} == CASES[name][1]
    assert all(p.hint for p in problems), problems


def test_every_case_at_once_checker_and_strict_build_agree(tmp_path):
    names = sorted(CASES)
    root = write_cases(tmp_path / "b", names)
    status, problems = checked(root)
    want = expected(names)
    assert status == 1
    assert {(p["file"], p["line"], p["code"]) for p in problems} == want
    assert all(p["hint"] for p in problems), [p for p in problems if not p["hint"]]
    for _run in range(2):  # the cache records what a front matter was refused for, and says it again
        cached = json.loads(check(root, "--format", "json").stdout)["problems"]
        assert {(p["file"], p["line"], p["code"], p["hint"]) for p in cached if p["code"] not in NOTICES} \
            == {(p["file"], p["line"], p["code"], p["hint"]) for p in problems}
    result = build(root, strict=True)
    assert "Traceback" not in result.output
    assert "Error reading page" not in result.output, result.output
    assert result.returncode != 0
    logged = {(m.group(1), int(m.group(2)), m.group(4)) for m in LOG_RE.finditer(result.output)}
    assert logged == want, result.output


def test_pages_with_refused_or_wrong_front_matter_are_still_built(tmp_path):
    names = ["page-title-int", "page-title-list", "page-bomb", "page-deeper-flow", "page-latin1",
             "card-translation-bomb", "card-title-en-int", "page-bom"]
    root = write_cases(tmp_path / "b", names)
    result = build(root, strict=False)
    assert result.returncode == 0, result.output
    assert "Traceback" not in result.output
    title_int = result.page("02-cases/title-int/")
    assert "<title>Heading - Mini</title>" in title_int  # the heading, not the int
    assert "<title>Heading - Mini</title>" in result.page("02-cases/title-list/")
    bomb = result.page("02-cases/bomb/")
    assert "*a0" not in bomb and "Text." in bomb  # rendered without the refused front matter
    assert "Text." in result.page("02-cases/deeper/")
    assert "caf\ufffd" in result.page("02-cases/latin/").lower()  # the bad byte shown replaced
    t4 = result.page("en/knowledge/events/t4/")
    assert "Text." in t4 and "*a0" not in t4
    assert "<title>T - Mini</title>" in result.page("knowledge/events/c10/")
    assert "Text." in result.page("02-cases/bom/")


def test_refusals_happen_before_anything_is_expanded():
    """An alias bomb of 9 levels (9**9 values) and a list nested a million deep: refused at
    once, by the line that first breaks the rule."""
    for text, line in [("---\ntitle: x\n" + BOMB + "---\n", 4), (f"---\na: {deep(1_000_000)}\n---\n", 2)]:
        start = time.perf_counter()
        fm = frontmatter.parse(text)
        assert time.perf_counter() - start < 2
        assert fm.error and fm.error_line == line and fm.hint and fm.data == {}
        assert fm.lines == {}  # positions are not looked for in a refused front matter


@pytest.mark.parametrize(("raw", "refused"), [
    ("a: [[[[x]]]]\n", False),
    # 32 levels, counting the front matter's own map, and one more
    ("a: " + deep(31) + "\n", False),
    ("a: " + deep(32) + "\n", True),
    ("a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 31)) + " " * 31 + "x: 1\n", False),
    ("a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 32)) + " " * 32 + "x: 1\n", True),
    ("a:\n" + "".join("  " * i + "- \n" for i in range(40)), True),  # block lists in block lists
    ("a: &x 1\n", False),  # an anchor alone expands nothing
    ("a: '*x'\nb: \"*y\"\nc: x*y\n", False),  # asterisks in text
    ("a: &x 1\nb: *x\n", True),
])
def test_depth_and_alias_limits(raw, refused):
    fm = frontmatter.parse(f"---\n{raw}---\n")
    assert bool(fm.error) is refused, fm.error


def test_a_bom_changes_no_fingerprint(tmp_path):
    """The checker reads a file with a BOM as MkDocs does, and `chronicle fingerprint` agrees."""
    root = write_book(tmp_path / "b", MINI_BOOK)
    original = root / "manuscript/01-intro/intro.md"
    original.write_bytes(b"\xef\xbb\xbf" + original.read_bytes().replace(b"\n", b"\r\n"))
    proc = subprocess.run([sys.executable, "-m", "chronicle.cli", "fingerprint", str(original)],
                          capture_output=True, text=True, timeout=60)
    value = proc.stdout.strip().rpartition(": ")[2]
    translation = root / "manuscript/01-intro/intro.en.md"
    translation.write_text(f"---\ntranslated_from: {value}\n---\n" + translation.read_text(encoding="utf-8"),
                           encoding="utf-8")
    data = json.loads(check(root, "--format", "json").stdout)
    assert [p for p in data["problems"] if p["file"].startswith("manuscript/01-intro/")
            and p["code"] != "untranslated-target"] == []
    (tmp_path / "latin.md").write_bytes(b"caf\xe9")
    proc = subprocess.run([sys.executable, "-m", "chronicle.cli", "fingerprint", str(tmp_path / "latin.md")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "latin.md" not in proc.stdout


def test_messages_say_what_and_where(tmp_path):
    names = ["page-bomb", "page-latin1", "page-duplicate", "orphan", "page-title-int", "card-title-en-int"]
    root = write_cases(tmp_path / "b", names)
    _status, problems = checked(root)
    got = {p["code"]: (p["line"], p["column"], p["severity"], p["message"], p["hint"]) for p in problems}
    assert got["frontmatter-yaml"] == (4, 1, "error", "YAML aliases (*name) are not allowed in front matter",
                                       "write the value out")
    assert got["encoding"] == (3, 6, "error", "not UTF-8 text: byte 0xe9 (invalid continuation byte)",
                               "save the file as UTF-8")
    assert got["duplicate-key"] == (4, 1, "error", "key 'title' is given twice (first on line 2)",
                                    "YAML keeps only the last one: delete the other")
    assert got["orphan-translation"] == (1, 1, "warning", f"a translation of {CH}/orphan.md, which does not exist",
                                         "rename it orphan.md, or add orphan.md")
    fields = sorted(p["message"] for p in problems if p["code"] == "frontmatter-field")
    assert fields == ["field 'title': 12345 is not text", "field 'title_en': 7 is not text"]


def test_a_template_or_icon_the_theme_lacks_is_reported_by_the_build(tmp_path):
    """Only the build knows the theme: it reports the name, once, and builds the page without it."""
    files = dict(MINI_BOOK)
    files[f"{CH}/index.md"] = page("x: 1", "template: nope.html", "icon: nope")
    files[f"{CH}/ok.md"] = page("icon: material/book", "template: main.html")
    root = write_book(tmp_path / "b", files)
    result = build(root, strict=True)
    assert "Traceback" not in result.output and result.returncode != 0
    logged = [(m.group(1), int(m.group(2)), m.group(4)) for m in LOG_RE.finditer(result.output)]
    assert sorted(logged) == [(f"{CH}/index.md", 3, "frontmatter-field"), (f"{CH}/index.md", 4, "frontmatter-field")]
    assert "the theme has no template 'nope.html'" in result.output
    assert "the theme has no icon 'nope'" in result.output
