"""The book's own rules (`rules:` in mkdocs.yml): each kind fails and passes through the real
`chronicle check`, one through `mkdocs build --strict`; severities; the config errors; the
cache; the sample book declares rules and passes them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml
from chronicle import rules
from chronicle.settings import read_config
from conftest import MKDOCS_YML, REPO, _env, build, check, copy_sample_book, write_book

CHAPTER = "manuscript/01-intro/intro.md"
CHAPTER_EN = "manuscript/01-intro/intro.en.md"

# A small book that every rule below passes; each case breaks it in one place.
_FILES: dict[str, str] = {
    "manuscript/index.md": """
        # 首页

        欢迎阅读。
        """,
    "manuscript/index.en.md": """
        # Home

        Welcome.
        """,
    CHAPTER: """
        ---
        title: 第一章
        ---
        # 第一章

        分阶段发布是一种做法 [@radford2019]。

        ## 背景

        正文在此。
        """,
    CHAPTER_EN: """
        ---
        title: Chapter one
        ---
        # Chapter one

        A staged release is a practice [@radford2019].

        ## Background

        The body.
        """,
    "knowledge/references.bib": """
        @techreport{radford2019,
          author = {Radford, Alec and Wu, Jeffrey},
          title = {Language Models are Unsupervised Multitask Learners},
          institution = {OpenAI},
          year = {2019},
          credibility = {1}
        }
        @article{smith2020,
          author = {Smith, Ann},
          title = {A Paper},
          journal = {J},
          year = {2020},
          credibility = {1}
        }
        """,
}
FILES = {rel: textwrap.dedent(text).lstrip("\n") for rel, text in _FILES.items()}


def yml(rules_yaml: str) -> str:
    """The test book's mkdocs.yml with RULES_YAML under plugins.chronicle.rules."""
    block = textwrap.indent(textwrap.dedent(rules_yaml).strip("\n"), " " * 8)
    return MKDOCS_YML.replace("  - chronicle\n", f"  - chronicle:\n      rules:\n{block}\n")


def book(root: Path, rules_yaml: str, changes: dict[str, str] | None = None) -> Path:
    return write_book(root, {**FILES, **(changes or {})}, yml(rules_yaml))


def problems(root: Path, *args: str) -> tuple[int, list[dict[str, object]]]:
    proc = check(root, "--format", "json", "--no-cache", *args)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.returncode, json.loads(proc.stdout)["problems"]


def rule_problems(root: Path) -> list[tuple[str, int, str, str]]:
    _, found = problems(root)
    return [(p["file"], p["line"], p["severity"], p["code"]) for p in found  # type: ignore[misc]
            if str(p["code"]).startswith("rule-")]


# (rules, a change to the book that breaks it, what is reported then)
CASES = {
    "length": (
        """
        length:
          - glob: "0*/*.md"
            zh: {min: 10, max: 40}
            en: {min: 5, max: 20}
        """,
        {CHAPTER_EN: FILES[CHAPTER_EN] + "\nOne two three four five six seven eight nine ten eleven twelve "
                                         "thirteen fourteen fifteen sixteen seventeen eighteen.\n"},
        [(CHAPTER_EN, 4, "warning", "rule-length")],
    ),
    "length-min-zh": (
        """
        length:
          - glob: "0*/*.md"
            zh: {min: 30}
        """,
        None,  # the chapter as it is: fewer than 30 characters
        [(CHAPTER, 4, "warning", "rule-length")],
    ),
    "sections": (
        """
        sections:
          - glob: "01-*/*.md"
            headings:
              - {zh: 背景, en: Background}
        """,
        {CHAPTER: FILES[CHAPTER].replace("## 背景", "## 前情")},
        [(CHAPTER, 4, "warning", "rule-section")],
    ),
    "terms": (
        """
        terms:
          - zh: {分阶段发布: [分步发布, 阶段发布]}
            en: {staged release: phased release}
        """,
        # In the front matter, inline code and a code block the variant is not prose; nor is
        # 阶段发布 inside the preferred term 分阶段发布.
        {CHAPTER: FILES[CHAPTER].replace("title: 第一章", "title: 分步发布")
         + "\n`分步发布` 不算。\n\n```\n分步发布\n```\n\n这里写错了：分步发布。\n",
         CHAPTER_EN: FILES[CHAPTER_EN] + "\nA Phased\nRelease, wrongly.\n"},
        [(CHAPTER, 18, "warning", "rule-term"), (CHAPTER_EN, 12, "warning", "rule-term")],
    ),
    "avoid": (
        """
        avoid:
          - phrases: [众所周知]
            lang: zh
            hint: 说出依据
          - phrases: needless to say
        """,
        {CHAPTER: FILES[CHAPTER] + "\n众所周知，正文。\n",
         CHAPTER_EN: FILES[CHAPTER_EN] + "\n众所周知 is not checked here. Needless to say, it is.\n"},
        [(CHAPTER, 12, "warning", "rule-avoid"), (CHAPTER_EN, 12, "warning", "rule-avoid")],
    ),
    "citations": (
        """
        citations: true
        """,
        {CHAPTER: FILES[CHAPTER] + "\n如（Radford 等，2019）所说，2019 年（二月）如此。\n",
         CHAPTER_EN: FILES[CHAPTER_EN]
         + "\nIn February (February 2019) it was said\n(Smith, 2020; Radford et al., 2019).\n"},
        [(CHAPTER, 12, "warning", "rule-citation"), (CHAPTER_EN, 13, "warning", "rule-citation")],
    ),
}


@pytest.mark.parametrize("kind", CASES)
def test_each_rule_kind_passes_the_book_and_fails_the_broken_one(tmp_path: Path, kind: str) -> None:
    rules_yaml, breaks, expected = CASES[kind]
    if breaks is not None:
        assert rule_problems(book(tmp_path / "good", rules_yaml)) == []
    assert rule_problems(book(tmp_path / "bad", rules_yaml, breaks)) == sorted(expected)


def test_the_messages_say_what_and_how_to_fix_it(tmp_path: Path) -> None:
    root = book(tmp_path / "b", CASES["terms"][0] + CASES["citations"][0] + CASES["avoid"][0],
                {**CASES["terms"][1], CHAPTER_EN: CASES["citations"][1][CHAPTER_EN]})
    (root / "manuscript/index.md").write_text("# 首页\n\n众所周知。\n", encoding="utf-8")
    out = check(root, "--no-cache").stdout
    assert (f"{CHAPTER}:18:7: warning rule-term '分步发布': this book writes '分阶段发布' (rules.terms[0]) "
            "(use 分阶段发布, not 分步发布)") in out
    assert ("manuscript/index.md:3:1: warning rule-avoid '众所周知' is a phrase this book avoids "
            "(rules.avoid[0]) (说出依据)") in out
    # The key each plain citation probably means, from the bibliography's surnames and years.
    assert (f"{CHAPTER_EN}:13:1: warning rule-citation '(Smith, 2020; Radford et al., 2019)' is a citation "
            "written as plain text (rules.citations) (write [@smith2020; @radford2019]") in out


def test_a_citation_with_no_entry_says_so(tmp_path: Path) -> None:
    root = book(tmp_path / "b", "citations: {}", {CHAPTER: FILES[CHAPTER] + "\n（Nobody，1999）。\n"})
    out = check(root, "--no-cache").stdout
    assert "'（Nobody，1999）' is a citation written as plain text" in out
    assert "knowledge/references.bib has no entry by Nobody (1999)" in out


def test_a_length_message_counts_han_characters_and_english_words(tmp_path: Path) -> None:
    root = book(tmp_path / "b", """
        length:
          - zh: {max: 3}
            en: {max: 2}
            glob: "01-intro/intro.md"
        """)
    out = check(root, "--no-cache").stdout
    # 第一章 分阶段发布是一种做法 背景 正文在此 (front matter and [@key] not counted)
    assert f"{CHAPTER}:4:1: warning rule-length the page has 19 Chinese characters; rules.length[0] allows " \
           "at most 3 (cut 16, or split the page in two)" in out
    assert f"{CHAPTER_EN}:4:1: warning rule-length the page has 11 words" in out


@pytest.mark.parametrize("text,count", [
    ("分阶段发布，GPT-2 和 2019 年", 7),
    ("㐀𠀀龥", 3),  # extension A, extension B, the last unified ideograph
    ("。，、“”《》", 0),
])
def test_han_characters_are_what_is_counted_for_chinese(text: str, count: int) -> None:
    assert rules.measure(text, "zh") == count


@pytest.mark.parametrize("text,count", [("It's a well-known GPT-2 fact, 2019.", 6), ("分阶段", 0)])
def test_words_are_what_is_counted_for_english(text: str, count: int) -> None:
    assert rules.measure(text, "en") == count


@pytest.mark.parametrize("glob,path,covered", [
    ("**", "01-a/x.md", True),
    ("0*/*.md", "01-a/x.md", True),
    ("0*/*.md", "01-a/sub/x.md", False),
    ("0*/**/*.md", "01-a/sub/x.md", True),
    ("0*/**/*.md", "01-a/x.md", True),
    ("knowledge/events/*.md", "knowledge/events/e.md", True),
    ("knowledge/events/*.md", "knowledge/concepts/c.md", False),
    ("index.md", "01-a/index.md", False),
    ("**/index.md", "01-a/index.md", True),
])
def test_globs(glob: str, path: str, covered: bool) -> None:
    assert rules.Scope((glob,)).covers(path) is covered


# -- severities ------------------------------------------------------------------------------


def _terms_with(severity: str) -> str:
    return f"terms:\n  - zh: {{分阶段发布: 分步发布}}\n    severity: {severity}\n"


BROKEN_TERM = {CHAPTER: FILES[CHAPTER] + "\n分步发布。\n"}


def test_an_error_rule_fails_the_check(tmp_path: Path) -> None:
    code, found = problems(book(tmp_path / "b", _terms_with("error"), BROKEN_TERM))
    assert code == 1
    assert [(p["severity"], p["code"]) for p in found if p["code"] == "rule-term"] == [("error", "rule-term")]


def test_a_warning_rule_fails_only_a_strict_check(tmp_path: Path) -> None:
    root = book(tmp_path / "b", _terms_with("warning"), BROKEN_TERM)
    assert problems(root)[0] == 0
    assert problems(root, "--strict")[0] == 1


def test_an_info_rule_is_reported_and_fails_nothing(tmp_path: Path) -> None:
    root = book(tmp_path / "b", _terms_with("info"), BROKEN_TERM)
    code, found = problems(root, "--strict")
    assert code == 0
    assert [(p["severity"], p["line"]) for p in found if p["code"] == "rule-term"] == [("info", 12)]
    github = check(root, "--format", "github", "--no-cache").stdout
    assert f"::notice file={CHAPTER},line=12,col=1,title=chronicle rule-term::" in github
    result = build(root, strict=True)
    assert result.returncode == 0, result.output
    assert f"INFO    -  chronicle: {CHAPTER}:12:1: info rule-term" in result.output


def test_the_strict_build_fails_on_a_warning_rule_and_passes_the_good_book(tmp_path: Path) -> None:
    rules_yaml = CASES["terms"][0] + CASES["sections"][0]
    good = build(book(tmp_path / "good", rules_yaml))
    assert good.returncode == 0, good.output
    assert "rule-" not in good.output
    bad = build(book(tmp_path / "bad", rules_yaml, {CHAPTER: FILES[CHAPTER].replace("## 背景", "## 分步发布")}))
    assert bad.returncode == 1
    assert f"WARNING -  chronicle: {CHAPTER}:8:4: warning rule-term '分步发布'" in bad.output
    assert f"WARNING -  chronicle: {CHAPTER}:4:1: warning rule-section the page has no heading '背景'" in bad.output
    assert "Traceback" not in bad.output


# -- the option ------------------------------------------------------------------------------


BAD_OPTIONS = [
    ("lenght: []", "plugins.chronicle.rules.lenght: unknown rule kind"),
    ("length: [{zh: {min: many}}]", "plugins.chronicle.rules.length[0].zh.min: expected a whole number"),
    ("length: [{zh: {min: 9, max: 3}}]", "plugins.chronicle.rules.length[0].zh: min (9) is more than max (3)"),
    ("length: [{fr: {max: 3}}]", "plugins.chronicle.rules.length[0].fr: 'fr' is not a language of the book"),
    ("length: {glob: x}", "plugins.chronicle.rules.length: name a language with its limits"),
    ("sections: [{headings: [{zh: 背景}]}, {glob: x}]", "plugins.chronicle.rules.sections[1]: 'headings' is missing"),
    ("terms: {zh: {分阶段发布: []}}", "plugins.chronicle.rules.terms.zh.分阶段发布: expected a variant"),
    ("avoid: [{phrases: x, severity: fatal}]", "plugins.chronicle.rules.avoid[0].severity: 'fatal' is not one of"),
    ("avoid: [{phrase: x}]", "plugins.chronicle.rules.avoid[0].phrase: unknown key"),
    ("citations: {glob: ../x}", "plugins.chronicle.rules.citations.glob: '../x' must be relative"),
    ("[length]", "plugins.chronicle.rules: expected a mapping of rule kinds"),
]


@pytest.mark.parametrize("rules_yaml,message", BAD_OPTIONS)
def test_a_bad_rules_option_is_a_config_error_naming_its_path(tmp_path: Path, rules_yaml: str, message: str) -> None:
    root = write_book(tmp_path / "b", FILES, yml(rules_yaml))
    proc = check(root)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_bad_rules_option_fails_the_build_with_its_path(tmp_path: Path) -> None:
    root = book(tmp_path / "b", "length: [{zh: {min: many}}]")
    result = build(root, strict=False)
    assert result.returncode != 0
    assert "plugins.chronicle.rules.length[0].zh.min: expected a whole number of 0 or more, got 'many'" in result.output
    assert "Traceback" not in result.output


def test_the_config_class_refuses_what_the_reader_refuses() -> None:
    from chronicle.config import ChronicleConfig

    options = ChronicleConfig(config_file_path="mkdocs.yml")
    options.load_dict({"rules": {"terms": [{"zh": "x"}]}})
    errors, _ = options.validate()
    assert [name for name, _ in errors] == ["rules"]
    assert "plugins.chronicle.rules.terms[0].zh: expected preferred terms" in str(errors[0][1])
    options = ChronicleConfig(config_file_path="mkdocs.yml")
    options.load_dict({})
    assert options.validate()[0] == [] and options["rules"] == {}


# -- the cache -------------------------------------------------------------------------------


def _age(root: Path) -> None:
    then = time.time() - 600
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (then, then))


def test_changing_a_rule_invalidates_the_cached_problems(tmp_path: Path) -> None:
    root = book(tmp_path / "b", _terms_with("warning"), BROKEN_TERM)
    _age(root)

    def cached() -> tuple[str, list[tuple[object, object]]]:
        proc = check(root, "--format", "json")
        data = json.loads(proc.stdout)
        return data["summary"]["unchanged"], [(p["code"], p["severity"]) for p in data["problems"]
                                              if str(p["code"]).startswith("rule-")]

    assert cached()[1] == [("rule-term", "warning")]
    assert cached() == (4, [("rule-term", "warning")])  # every file from the cache
    (root / "mkdocs.yml").write_text(yml(_terms_with("error")), encoding="utf-8")
    assert cached() == (4, [("rule-term", "error")])  # the files unchanged, their problems not reused
    (root / "mkdocs.yml").write_text(yml("avoid: [{phrases: 正文}]"), encoding="utf-8")
    assert cached()[1] == [("rule-avoid", "warning")]
    # The citation rule reads the bibliography's authors: renaming one is seen in every page.
    (root / "mkdocs.yml").write_text(yml("citations: true"), encoding="utf-8")
    (root / CHAPTER).write_text(FILES[CHAPTER] + "\n（Smith，2020）\n", encoding="utf-8")
    _age(root)
    assert "smith2020" in check(root).stdout
    bib = root / "knowledge/references.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("Smith, Ann", "Smyth, Ann"), encoding="utf-8")
    assert "has no entry by Smith (2020)" in check(root).stdout


# -- the sample book and the README ----------------------------------------------------------


def _declared_rules(config: Path) -> dict[str, object]:
    plugins = read_config(config)["plugins"]
    return next(p["chronicle"] for p in plugins if isinstance(p, dict) and "chronicle" in p)["rules"]


def test_the_sample_book_declares_rules_and_passes_them() -> None:
    declared = _declared_rules(REPO / "mkdocs.yml")
    assert len(declared) >= 3
    parsed = rules.parse(declared, ["zh", "en"])
    assert sum(len(getattr(parsed, kind)) for kind in rules.KINDS) >= 3
    cmd = [sys.executable, "-m", "chronicle.cli", "check", str(REPO), "--format", "json", "--no-cache"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=_env())
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)["problems"]
    assert [p for p in found if p["code"].startswith("rule-")] == []


def test_the_sample_books_rules_find_what_they_are_for(tmp_path: Path) -> None:
    """Each of the sample book's rules, broken once in a copy, is reported there."""
    root = copy_sample_book(tmp_path / "book")
    chapter = root / "manuscript/03-staged-release/too-dangerous-to-release.md"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text + "\n众所周知，分步发布（Solaiman 等，2019）。\n", encoding="utf-8")
    card = root / "knowledge/concepts/webtext.en.md"
    card.write_text(card.read_text(encoding="utf-8").replace("## Related", "## See also"), encoding="utf-8")
    shutil.rmtree(root / ".chronicle-cache", ignore_errors=True)
    found = {(p["file"], p["code"]) for p in problems(root)[1] if p["code"].startswith("rule-")}
    assert found == {
        ("manuscript/03-staged-release/too-dangerous-to-release.md", "rule-avoid"),
        ("manuscript/03-staged-release/too-dangerous-to-release.md", "rule-term"),
        ("manuscript/03-staged-release/too-dangerous-to-release.md", "rule-citation"),
        ("knowledge/concepts/webtext.en.md", "rule-section"),
    }


def test_the_readme_example_is_a_valid_rules_option() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The book's rules"):]
    example = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert example is not None
    body = yaml.safe_load(example.group(1))
    declared = body["plugins"][0]["chronicle"]["rules"]
    parsed = rules.parse(declared, ["zh", "en"])
    assert all(getattr(parsed, kind) for kind in rules.KINDS)


def test_an_error_rule_is_shown_on_its_page_escaped(tmp_path: Path) -> None:
    """Without --strict the page lists its errors: the rule's own text (the hint is the book's,
    the match the page's) reaches the HTML only escaped."""
    hostile = "<img src=x onerror=alert(1)>"
    root = book(tmp_path / "b", f"avoid: [{{phrases: 正文, hint: '{hostile}', severity: error}}]")
    result = build(root, strict=False)
    assert result.returncode == 0, result.output
    html = result.page("01-intro/intro/")
    assert "chronicle-problems" in html and "rule-avoid" in html
    assert hostile not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.parametrize("heading,has", [
    ("背景", True), ("背景：", True), ("## 背景 (Background)", True), ("背景（Background）", True),
    ("Background", False), ("背景知识", False),
])
def test_a_required_heading_is_found_as_written_or_as_half_of_a_bilingual_one(heading: str, has: bool) -> None:
    declared = rules.parse({"sections": {"headings": [{"zh": "背景"}]}})
    text = f"# 标题\n\n## {heading.removeprefix('## ')}\n\n正文。\n"
    found = rules.check_page(declared, rules.Page("p.md", "p.md", "zh", text, 0))
    assert (found == []) is has
