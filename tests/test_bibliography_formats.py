"""Bibliographies in BibTeX, CSL-JSON, CSL-YAML and Markdown, one file or several: keys,
credibility, lines, formatted references, and each problem at its own file and line."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from chronicle import bibliography
from chronicle.bibformats import latex_text
from chronicle.safe import escape
from conftest import MINI_BOOK, MKDOCS_YML, assert_exit_matches, build, check, write_book
from hypothesis import given, settings
from hypothesis import strategies as st
from sitewalk import html_problems

EVIL = "<img src=x onerror=alert(1)>"

CSL_JSON = """\
[
  {
    "id": "radford2019csl",
    "type": "report",
    "title": "Language Models are Unsupervised Multitask Learners",
    "author": [{"family": "Radford", "given": "Alec"}, {"family": "Wu", "given": "Jeffrey"},
               {"family": "Child", "given": "Rewon"}],
    "publisher": "OpenAI",
    "issued": {"date-parts": [[2019, 2]]},
    "URL": "https://example.org/gpt2.pdf",
    "credibility": 1
  },
  {
    "id": "evil",
    "type": "webpage",
    "title": "T -- {x} 100% ~ `q' \\\\emph{no} <img src=x onerror=alert(1)>",
    "author": [{"literal": "Eve \\"><svg onload=alert(1)>"}],
    "issued": {"raw": "2020-05-01"},
    "note": "Repost.\\ncredibility: 3",
    "URL": "javascript:alert(1)",
    "DOI": "10.1/\\"><svg>"
  },
  {"id": "plain", "title": "No tier", "issued": {"date-parts": [[2021]]}}
]
"""

CSL_YAML = """\
---
references:
- id: doe2019
  type: article-journal
  title: 'A: title'
  author:
  - family: Doe
    given: Jane
  container-title: Journal of Things
  issued: 2019-03-04
  volume: 3
  page: 1-10
  note: "credibility: 2"
- id: bad-url
  title: Bad
  URL: data:text/html,x
...
"""

MARKDOWN = """\
---
title: References
---
# References

- [md-radford] Radford, A., Wu, J. (2019). *Language models*. [PDF](https://example.org/a.pdf)
  {: credibility=1}
- **[md-openai]**: OpenAI. 2019. A blog post
  on two lines.
  {: credibility=3 label="OpenAI, 2019"}

[md-smith] Smith, J. 2020. A [bad](javascript:alert(1)) link <b>x</b>.

```text
[md-code] not an entry: code
```

See [the list](#references) for more.
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def _assert_safe(html: str) -> None:
    tags, problems = html_problems(html)
    assert problems == [] and set(tags) <= {"a", "em", "strong", "code", "span"}, html


# -- each format, read ---------------------------------------------------------------


def test_csl_json_keys_tiers_lines_and_references_escaped(tmp_path):
    bib = bibliography.load(_write(tmp_path, "refs.json", CSL_JSON), "refs.json")
    assert bib.tiers == {"radford2019csl": 1, "evil": 3, "plain": None}  # a key, a note line, none
    assert bib.where == {"radford2019csl": ("refs.json", 3), "evil": ("refs.json", 14), "plain": ("refs.json", 23)}
    assert bib.errors == [] and bib.duplicates == []
    assert [u[:5] for u in bib.unsafe] == [("refs.json", 20, 5, "evil", "URL")]
    assert bib.label("radford2019csl") == "Radford et al., 2019"
    html = bib.reference_html("radford2019csl")
    assert "Alec Radford, Jeffrey Wu, and Rewon Child." in html
    # A CSL title is the author's own case (not the plain style's sentence case).
    assert "Language Models are Unsupervised Multitask Learners." in html
    assert "Technical Report, OpenAI, February 2019." in html
    assert '<a href="https://example.org/gpt2.pdf">' in html
    evil = bib.reference_html("evil")
    _assert_safe(evil)
    # Plain text, character for character: no LaTeX dash, brace group, tie, comment or command.
    assert "T -- {x} 100% ~ `q&#39; \\emph{no} &lt;img src=x onerror=alert(1)&gt;" in evil
    assert "Eve &#34;&gt;&lt;svg onload=alert(1)&gt;" in evil
    assert "javascript:alert(1)" in evil and 'href="javascript' not in evil
    assert "Repost." in evil and "credibility" not in evil  # the note's credibility line is not shown
    assert 'href="https://doi.org/10.1/&#34;&gt;&lt;svg&gt;"' in evil


def test_csl_yaml_references_block_with_lines(tmp_path):
    bib = bibliography.load(_write(tmp_path, "refs.yaml", CSL_YAML), "refs.yaml")
    assert bib.tiers == {"doe2019": 2, "bad-url": None}
    assert bib.where == {"doe2019": ("refs.yaml", 3), "bad-url": ("refs.yaml", 14)}
    assert bib.unsafe == [("refs.yaml", 16, 3, "bad-url", "URL", "data:text/html,x")]
    assert bib.label("doe2019") == "Doe, 2019"
    html = bib.reference_html("doe2019")
    assert "Jane Doe." in html and "A: title." in html
    assert "<em>Journal of Things</em>, 3:1–10, March 2019." in html


def test_csl_yaml_as_a_plain_list(tmp_path):
    bib = bibliography.load(_write(tmp_path, "refs.yml", "- id: a\n  title: A\n- id: b\n  title: B\n"), "refs.yml")
    assert bib.where == {"a": ("refs.yml", 1), "b": ("refs.yml", 3)}


def test_markdown_reference_page(tmp_path):
    bib = bibliography.load(_write(tmp_path, "refs.md", MARKDOWN), "refs.md")
    assert bib.tiers == {"md-radford": 1, "md-openai": 3, "md-smith": None}
    assert bib.where == {"md-radford": ("refs.md", 6), "md-openai": ("refs.md", 8), "md-smith": ("refs.md", 12)}
    assert bib.unsafe == [("refs.md", 12, 25, "md-smith", "link", "javascript:alert(1)")]
    assert bib.label("md-radford") == "Radford et al., 2019"  # guessed: first word, first year
    assert bib.label("md-openai") == "OpenAI, 2019"  # as given
    assert bib.label("md-smith") == "Smith, 2020"
    radford = bib.reference_html("md-radford")
    assert radford == ('Radford, A., Wu, J. (2019). <em>Language models</em>. '
                       '<a href="https://example.org/a.pdf">PDF</a>')
    assert bib.reference_html("md-openai") == "OpenAI. 2019. A blog post on two lines."
    smith = bib.reference_html("md-smith")
    _assert_safe(smith)
    assert smith == "Smith, J. 2020. A bad link &lt;b&gt;x&lt;/b&gt;."
    # On the entry's own last line too, and data- names (valid HTML once attr_list takes them).
    _write(tmp_path, "more.md", "[k1] Ann. 2001. T. {credibility=2}\n\n[k2] Bo. 2002. U.\n{: data-credibility=4}\n")
    assert bibliography.load(tmp_path, "more.md").tiers == {"k1": 2, "k2": 4}


def test_bibtex_repeated_key_keeps_the_rest_of_the_file(tmp_path):
    """pybtex refuses a whole file for one repeated key; the first entry is kept and the
    second reported, at its line."""
    text = "@misc{a, title={A}, year={2020}, credibility={1}}\n@misc{b, title={B}}\n\n@misc{a, title={A2}}\n"
    bib = bibliography.load(_write(tmp_path, "refs.bib", text), "refs.bib")
    assert bib.errors == [] and bib.tiers == {"a": 1, "b": None}
    assert bib.duplicates == [("refs.bib", 4, "a", "refs.bib", 1)]


def test_several_files_merge_and_remember_where_each_key_is(tmp_path):
    _write(tmp_path, "a.bib", "@misc{x, author={Smith, A.}, title={One}, year={2019}}\n")
    _write(tmp_path, "b.json", '[{"id": "y", "author": [{"family": "Smith"}], "title": "Two", '
                               '"issued": {"date-parts": [[2019]]}},\n {"id": "x", "title": "Again"}]\n')
    bib = bibliography.load(tmp_path, ["a.bib", "b.json"])
    assert bib.where == {"x": ("a.bib", 1), "y": ("b.json", 1)}
    assert bib.duplicates == [("b.json", 2, "x", "a.bib", 1)]
    assert "One" in bib.reference_html("x")  # the first definition is the one used
    # Labels that read the same are told apart across files too.
    assert {bib.label("x"), bib.label("y")} == {"Smith, 2019a", "Smith, 2019b"}
    assert bib.describe() == "a.bib or b.json"


@pytest.mark.parametrize(("name", "text", "line"), [
    ("bad.json", '[\n  {"id": "a",\n   "title": "x",,\n  }\n]\n', 3),
    ("bad.json", '{"id": "a"}\n', 1),
    ("bad.yaml", "- id: a\n  title: [x\n- id: b\n", 3),
    ("bad.yaml", "- id: a\n  title: &t x\n- id: b\n  title: *t\n", 4),
    ("bad.yml", "- id: a\n- title: no id\n", 2),
])
def test_a_malformed_csl_file_is_one_error_at_its_line(tmp_path, name, text, line):
    bib = bibliography.load(_write(tmp_path, name, text), name)
    assert [(f, n) for f, n, _ in bib.errors] == [(name, line)], bib.errors


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Co", "Cc")), min_size=1))
def test_csl_text_reaches_the_page_as_written(text):
    """Whatever a CSL field holds, the reference shows it, escaped, and nothing else: the
    LaTeX that pybtex reads into every field cannot change it."""
    from pybtex.database import Entry

    bib = bibliography.Bibliography()
    bib.tiers["k"] = None
    bib.__dict__["entries"] = {"k": Entry("misc", fields={"note": latex_text(text)})}
    html = bib.reference_html("k")
    shown = " ".join(text.split())
    if shown:
        assert str(escape(shown)) in html, (text, html)


# -- in a book -----------------------------------------------------------------------

BOOK_JSON = """\
[
  {"id": "csl2019", "type": "post-weblog", "author": [{"literal": "OpenAI"}],
   "title": "A CSL <post>", "container-title": "OpenAI Blog",
   "issued": {"date-parts": [[2019, 8, 20]]}, "URL": "https://example.org/post", "credibility": 2},
  {"id": "org2019", "title": "Defined again"},
  {"id": "evil", "title": "E", "URL": "javascript:alert(1)"}
]
"""


def _book(tmp_path: Path, bibs: str = "[knowledge/references.bib, knowledge/more.json]",
          json_text: str = BOOK_JSON, **files: str) -> Path:
    book = dict(MINI_BOOK)
    book["knowledge/more.json"] = json_text
    book["manuscript/01-intro/intro.md"] = book["manuscript/01-intro/intro.md"].replace(
        "引用 [@smith2020]", "引用 [@csl2019] 与 [@smith2020]")
    book["manuscript/01-intro/intro.en.md"] = book["manuscript/01-intro/intro.en.md"].replace(
        "Citing [@smith2020]", "Citing [@csl2019] and [@smith2020]")
    book.update(files)
    yml = MKDOCS_YML.replace("  - chronicle\n", f"  - chronicle:\n      bibliography: {bibs}\n")
    return write_book(tmp_path / "book", book, yml)


def _problems(root: Path, *args: str) -> list[dict]:
    proc = check(root, "--format", "json", *args)
    assert_exit_matches(proc)
    return [p for p in json.loads(proc.stdout)["problems"] if p["severity"] == "error"]


def test_check_json_names_the_file_each_problem_is_in(tmp_path):
    root = _book(tmp_path)
    errors = _problems(root)
    assert [(p["file"], p["line"], p["code"]) for p in errors] == [
        ("knowledge/more.json", 5, "duplicate-citation-key"),
        ("knowledge/more.json", 6, "unsafe-url"),
    ]
    dup = errors[0]
    assert dup["target"] == "org2019" and "knowledge/references.bib:8" in dup["message"]
    assert dup["hint"]
    # The same answers from the cache.
    assert _problems(root) == errors


def test_an_unknown_key_names_every_file(tmp_path):
    root = _book(tmp_path, json_text='[{"id": "csl2019", "title": "T"}]\n')
    (root / "manuscript/index.md").write_text("# 首页\n\n[@nowhere2019]\n", encoding="utf-8")
    errors = _problems(root)
    assert [(p["file"], p["line"], p["code"]) for p in errors] == [("manuscript/index.md", 3, "unknown-citation")]
    assert "knowledge/references.bib or knowledge/more.json" in errors[0]["message"]


def test_a_malformed_json_bibliography_is_one_error_and_nothing_else(tmp_path):
    root = _book(tmp_path, json_text='[\n  {"id": "csl2019",\n   "title": "x"\n  ]\n')
    errors = _problems(root)
    # Its keys are gone, so the chapters' [@csl2019] are unknown too: nothing else is.
    assert [(p["file"], p["line"], p["code"]) for p in errors if p["file"] == "knowledge/more.json"] == [
        ("knowledge/more.json", 4, "bibliography")]
    assert {p["code"] for p in errors} == {"bibliography", "unknown-citation"}


def test_a_cited_csl_entry_is_in_the_built_site_in_both_languages(tmp_path):
    clean = [*BOOK_JSON.split("\n")[:4], '  {"id": "other", "title": "O"}', "]", ""]
    root = _book(tmp_path, json_text="\n".join(clean))  # csl2019 and another: no duplicate, nothing unsafe
    result = build(root)
    assert result.returncode == 0, result.output
    for url in ("01-intro/intro/", "en/01-intro/intro/"):
        page = result.page(url)
        # "a": the BibTeX file's org2019 is "OpenAI, 2019" too, and its title sorts after.
        assert '<a class="chronicle-cite" href="#ref-csl2019">OpenAI, 2019a</a>' in page
        item = re.search(r'<li id="ref-csl2019">(.*?)</li>', page, re.S)
        assert item is not None, page
        assert "A CSL &lt;post&gt;." in item.group(1) and "<em>OpenAI Blog</em>" not in item.group(1)
        assert "OpenAI Blog, August 2019." in item.group(1)
        assert '<a href="https://example.org/post">' in item.group(1)
        assert "chronicle-cred--2" in item.group(1)
        assert 'id="ref-smith2020"' in page  # the BibTeX entries still, beside it
    assert (result.site / "knowledge/more.json").is_file()


def test_a_markdown_bibliography_that_is_a_page_of_the_book(tmp_path):
    refs = MARKDOWN.replace("[md-smith] Smith, J. 2020. A [bad](javascript:alert(1)) link <b>x</b>.",
                            "[md-smith] Smith, J. 2020. A book.")
    root = _book(tmp_path, bibs="[knowledge/references.bib, knowledge/more.json, knowledge/references.md]",
                 json_text='[{"id": "csl2019", "title": "T"}]\n', **{"knowledge/references.md": refs,
                    "manuscript/index.md": "# 首页\n\n见 [@md-openai]。\n",
                    "manuscript/index.en.md": "# Home\n\nSee [@md-openai].\n"})
    assert _problems(root) == []
    result = build(root)
    assert result.returncode == 0, result.output
    page = result.page("en/")
    # Its label as given, told apart from the BibTeX file's org2019 ("OpenAI, 2019", "A Post").
    assert '<a class="chronicle-cite" href="#ref-md-openai">OpenAI, 2019b</a>' in page
    assert re.search(r'<li id="ref-md-openai">OpenAI\. 2019\. A blog post on two lines\..*?chronicle-cred--3', page)
    # The page itself: attr_list takes the braces, so the reader sees no {credibility=...}.
    refs_page = result.page("knowledge/references/")
    assert "Radford, A., Wu, J. (2019)" in refs_page and "{credibility" not in refs_page


@pytest.mark.parametrize(("option", "message"), [
    ("[]", "expected a path or a list of paths"),
    ("[knowledge/references.bib, ../outside.json]", "must be a path inside the project folder"),
    ("[knowledge/references.bib, 3]", "expected a path or a list of paths"),
])
def test_bad_bibliography_options_are_refused(tmp_path, option, message):
    root = _book(tmp_path, bibs=option)
    proc = check(root)
    assert proc.returncode == 2 and "plugins.chronicle.bibliography" in proc.stderr and message in proc.stderr, \
        proc.stderr


def test_one_path_still_works_and_the_default_is_references_bib(tmp_path):
    root = _book(tmp_path, bibs="knowledge/more.json", json_text='[{"id": "csl2019", "title": "T"}]\n')
    errors = _problems(root)
    assert {(p["code"], p["target"]) for p in errors} == {("unknown-citation", "@smith2020"),
                                                          ("unknown-citation", "@org2019"),
                                                          ("unknown-reference", "smith2020"),
                                                          # evt-a is verified by smith2020 alone
                                                          ("unsupported-verification", "verified")}
    root = write_book(tmp_path / "default", MINI_BOOK)
    assert _problems(root) == []


def test_the_cache_sees_an_edit_of_a_second_file(tmp_path):
    root = _book(tmp_path, json_text='[{"id": "csl2019", "title": "T"}]\n')
    assert _problems(root) == []
    (root / "knowledge/more.json").write_text(
        textwrap.dedent('[{"id": "csl2019", "title": "T"},\n {"id": "smith2020"}]\n'), encoding="utf-8")
    assert [(p["file"], p["line"], p["code"]) for p in _problems(root)] == [
        ("knowledge/more.json", 2, "duplicate-citation-key")]
