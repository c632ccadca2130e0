"""Pages that hold both languages in one file (issue 14, item 3), and `chronicle split`."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from chronicle.bilingual import han_language, matches, split_title, titles
from chronicle.split import split_body
from conftest import MKDOCS_YML, Result, _env, build, check, write_book

SEARCH_YML = MKDOCS_YML.replace("plugins:\n", "plugins:\n  - search\n", 1)


BILINGUAL_PAGE = """\
---
languages: [zh, en]
---
# 导言 (Introduction)

这是中文段落，介绍本章。

This is the English paragraph introducing the chapter.

## 背景 (Background) {#background}

第二段中文，见 [首页](../index.md)。

A second English paragraph, see [the home page](../index.md).

- 第一项
- First item

```python
print("代码 code")
```

| 列 | column |
|---|---|
| 1 | 2 |

![图 figure](figure.png)

[[home]]

## 结语 (Conclusion) {#conclusion}

结语段落。

A closing paragraph.
"""


def files(page: str = BILINGUAL_PAGE) -> dict[str, str]:
    return {
        "manuscript/index.md": """
            ---
            id: home
            ---
            # 首页

            欢迎。见 [导言](01-intro/intro.md)。
            """,
        "manuscript/index.en.md": """
            # Home

            Welcome. See [the introduction](01-intro/intro.md#background) and [[01-intro]].
            """,
        "manuscript/01-intro/intro.md": page,
        "manuscript/01-intro/figure.png": "png",
        "knowledge/references.bib": "",
    }


def chronicle(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "chronicle.cli", *args], capture_output=True, text=True,
                          timeout=120, env=_env(), cwd=cwd)


def snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def h1(html: str) -> str:
    m = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert m is not None
    return m.group(1)


def title(html: str) -> str:
    m = re.search(r"<title>(.*?)</title>", html, re.S)
    assert m is not None
    return m.group(1)


def nav_titles(html: str) -> list[str]:
    return [t.strip() for t in re.findall(r'class="md-ellipsis">\s*(.*?)\s*</span>', html, re.S)]


# -- the pure core ---------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("导言 (Introduction)", ("导言", "Introduction")),
    ("导言（Introduction）", ("导言", "Introduction")),
    ("注意力机制 ( Attention Is All You Need )", ("注意力机制", "Attention Is All You Need")),
    ("GPT-2 的发布 (The GPT-2 release)", ("GPT-2 的发布", "The GPT-2 release")),
    ("导言", None),
    ("Introduction (draft)", None),  # no Han before the parentheses
    ("导言 (导论)", None),  # Han inside them
    ("导言 (Intro) 续", None),  # not at the end
    ("", None),
])
def test_split_title(text: str, expected: tuple[str, str] | None) -> None:
    assert split_title(text) == expected


@pytest.mark.parametrize(("data", "heading", "expected"), [
    ({}, "导言 (Introduction)", {"zh": "导言", "en": "Introduction"}),
    ({"title": "前言 (Preface)"}, "导言 (Introduction)", {"zh": "前言", "en": "Preface"}),
    ({"title": "导言", "title_en": "Introduction"}, None, {"zh": "导言", "en": "Introduction"}),
    ({"title_en": "Intro"}, "导言 (Introduction)", {"zh": "导言", "en": "Intro"}),
    ({}, "只有中文", {"zh": "只有中文", "en": "只有中文"}),
    ({}, None, {}),
])
def test_titles(data: dict[str, str], heading: str | None, expected: dict[str, str]) -> None:
    assert titles(data, heading, ["zh", "en"], ["zh", "en"]) == expected


@pytest.mark.parametrize(("globs", "path", "expected"), [
    (["**/*.md"], "01-intro/intro.md", True),
    (["**/*.md"], "index.md", True),
    (["01-*/**"], "01-intro/a/b.md", True),
    (["01-*/*.md"], "01-intro/a/b.md", False),
    (["intro.md"], "01-intro/intro.md", False),
    (["*/intro.md"], "01-intro/intro.md", True),
    (["0?-intro/*"], "01-intro/intro.md", True),
])
def test_glob(globs: list[str], path: str, expected: bool) -> None:
    assert matches(globs, path) is expected


def test_han_language() -> None:
    assert han_language(["en", "zh-TW"]) == "zh-TW"
    assert han_language(["en", "fr"]) is None


# -- the site --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    root = write_book(tmp_path_factory.mktemp("bilingual") / "book", files(), SEARCH_YML)
    return root, build(root)


def test_bilingual_page_is_served_in_both_languages_without_notice(site: tuple[Path, Result]) -> None:
    _root, result = site
    assert result.returncode == 0, result.output  # --strict: no warning
    assert "translation notice" not in result.output
    zh, en = result.page("01-intro/intro/"), result.page("en/01-intro/intro/")
    for html in (zh, en):
        assert "chronicle-fallback" not in html  # no "not yet translated" box
        assert '<div lang="zh">' not in html  # not declared the other language's text
        assert "这是中文段落" in html and "This is the English paragraph" in html
    # The heading and the title in the reader's language, with the id the file gives it.
    assert h1(zh) == "导言" and h1(en) == "Introduction"
    assert re.search(r'<h1 id="导言-introduction"', en)
    assert title(zh).startswith("导言 - ") and title(en).startswith("Introduction - ")
    assert "Introduction" in nav_titles(en) and "导言" in nav_titles(zh)
    assert "导言 (Introduction)" not in nav_titles(en) + nav_titles(zh)
    # A link to it from an English page is not marked as leading to another language, and
    # [[its id]] reads its English title.
    home = result.page("en/")
    assert "chronicle-untranslated" not in home
    assert re.search(r'<a [^>]*href="01-intro/intro/"[^>]*>Introduction</a>', home)


def test_bilingual_page_is_in_each_language_search_index(site: tuple[Path, Result]) -> None:
    _root, result = site
    zh = json.loads((result.site / "search/search_index.json").read_text(encoding="utf-8"))
    en = json.loads((result.site / "en/search/search_index.json").read_text(encoding="utf-8"))
    for index, name in ((zh, "导言"), (en, "Introduction")):
        entries = {d["location"]: d for d in index["docs"]}
        assert entries["01-intro/intro/"]["title"] == name
        assert "English paragraph" in entries["01-intro/intro/"]["text"]
        # Its sections too (they repeat the Chinese site's, and are not dropped as repeats).
        assert "A second English paragraph" in entries["01-intro/intro/#background"]["text"]
        assert "A closing paragraph" in entries["01-intro/intro/#conclusion"]["text"]


def test_check_and_status_count_it_as_translated(site: tuple[Path, Result]) -> None:
    root, _result = site
    proc = check(root, "--strict", "--no-cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 error(s), 0 warning(s)" in proc.stdout
    status = chronicle("status", "--no-git", "--format", "json", str(root), cwd=root)
    rows = {(s["base"], s["lang"]): s["state"] for s in json.loads(status.stdout)}
    assert rows[("manuscript/01-intro/intro.md", "en")] == "translated"


def test_a_one_language_page_still_falls_back(tmp_path: Path) -> None:
    page = BILINGUAL_PAGE.replace("languages: [zh, en]", "id: intro")
    root = write_book(tmp_path / "book", files(page))
    proc = check(root, "--no-cache")
    assert "missing-translation" in proc.stdout and "manuscript/01-intro/intro.md" in proc.stdout
    assert "untranslated-target" in proc.stdout  # the English home page links to it
    result = build(root, strict=False)
    assert "chronicle-fallback" in result.page("en/01-intro/intro/")


def test_glob_option_makes_a_page_bilingual(tmp_path: Path) -> None:
    page = BILINGUAL_PAGE.replace("languages: [zh, en]", "id: intro")
    yml = MKDOCS_YML.replace("  - chronicle\n", "  - chronicle:\n      bilingual: ['0*/**']\n", 1)
    root = write_book(tmp_path / "book", files(page), yml)
    proc = check(root, "--strict", "--no-cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = build(root)
    assert result.returncode == 0, result.output
    assert h1(result.page("en/01-intro/intro/")) == "Introduction"
    assert "chronicle-fallback" not in result.page("en/01-intro/intro/")


def test_title_en_names_the_english_page(tmp_path: Path) -> None:
    page = BILINGUAL_PAGE.replace("languages: [zh, en]", "languages: [zh, en]\ntitle: 导论\ntitle_en: Overview")
    root = write_book(tmp_path / "book", files(page))
    result = build(root)
    assert result.returncode == 0, result.output
    en, zh = result.page("en/01-intro/intro/"), result.page("01-intro/intro/")
    assert title(en).startswith("Overview - ") and "Overview" in nav_titles(en)
    assert title(zh).startswith("导论 - ") and "导论" in nav_titles(zh)


@pytest.mark.parametrize("value", ["[zh, fr]", "42", "{zh: 1}"])
def test_bad_languages_field_is_one_error(tmp_path: Path, value: str) -> None:
    page = BILINGUAL_PAGE.replace("[zh, en]", value)
    root = write_book(tmp_path / "book", files(page))
    proc = check(root, "--no-cache")
    assert proc.returncode == 1
    assert re.search(r"manuscript/01-intro/intro\.md:2:1: error frontmatter-field field 'languages'", proc.stdout)
    assert "Traceback" not in proc.stderr


# -- chronicle split -------------------------------------------------------------------

PAGE = "manuscript/01-intro/intro.md"
TRANSLATION = "manuscript/01-intro/intro.en.md"
# The original's blocks (besides its headings), by the file(s) each must end up in.
HAN_ONLY = ["这是中文段落，介绍本章。", "第二段中文，见 [首页](../index.md)。", "- 第一项", "结语段落。"]
OTHER_ONLY = ["This is the English paragraph introducing the chapter.",
              "A second English paragraph, see [the home page](../index.md).", "- First item",
              "A closing paragraph."]
BOTH = ['```python\nprint("代码 code")\n```', "| 列 | column |\n|---|---|\n| 1 | 2 |", "![图 figure](figure.png)",
        "[[home]]"]


def blocks(text: str) -> list[str]:
    """TEXT's body as blocks: paragraphs, one block per list item (none of the test's holds a
    blank line inside a code block)."""
    body = text.split("---\n", 2)[2] if text.startswith("---\n") else text
    out: list[str] = []
    for chunk in body.split("\n\n"):
        chunk = chunk.strip("\n")
        if chunk.startswith("- "):
            out += ["- " + item for item in chunk[2:].split("\n- ")]
        elif chunk:
            out.append(chunk)
    return out


def test_every_block_of_the_page_is_in_one_of_the_lists() -> None:
    written = [b for b in blocks(BILINGUAL_PAGE) if not b.startswith("#")]
    assert sorted(written) == sorted(HAN_ONLY + OTHER_ONLY + BOTH)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "book", files())


def test_split_without_apply_prints_a_diff_and_changes_nothing(book: Path) -> None:
    before = snapshot(book)
    proc = chronicle("split", PAGE, cwd=book)
    assert proc.returncode == 0, proc.stderr
    assert f"--- a/{PAGE}\n+++ b/{PAGE}\n" in proc.stdout
    assert f"--- /dev/null\n+++ b/{TRANSLATION}\n" in proc.stdout
    assert "-This is the English paragraph introducing the chapter.\n" in proc.stdout
    assert "+This is the English paragraph introducing the chapter.\n" in proc.stdout
    assert "nothing was changed" in proc.stdout
    assert snapshot(book) == before  # not a byte, not a cache file


def test_split_apply_gives_two_files_that_check_clean(book: Path) -> None:
    proc = chronicle("split", "--apply", PAGE, cwd=book)
    assert proc.returncode == 0, proc.stderr
    han = (book / PAGE).read_text(encoding="utf-8")
    other = (book / TRANSLATION).read_text(encoding="utf-8")
    han_blocks, other_blocks = blocks(han), blocks(other)
    for block in HAN_ONLY:
        assert (han_blocks.count(block), other_blocks.count(block)) == (1, 0), block
    for block in OTHER_ONLY:
        assert (han_blocks.count(block), other_blocks.count(block)) == (0, 1), block
    for block in BOTH:
        assert (han_blocks.count(block), other_blocks.count(block)) == (1, 1), block
    assert [b for b in han_blocks if b.startswith("#")] == \
        ["# 导言", "## 背景 {#background}", "## 结语 {#conclusion}"]
    assert [b for b in other_blocks if b.startswith("#")] == \
        ["# Introduction", "## Background {#background}", "## Conclusion {#conclusion}"]
    assert "languages" not in han and "languages" not in other
    proc = check(book, "--strict", "--no-cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    status = chronicle("status", "--no-git", "--format", "json", str(book), cwd=book)
    rows = {(s["base"], s["lang"]): s for s in json.loads(status.stdout)}
    assert rows[(PAGE, "en")]["state"] == "translated" and rows[(PAGE, "en")]["translation"] == TRANSLATION
    result = build(book)
    assert result.returncode == 0, result.output
    assert h1(result.page("en/01-intro/intro/")) == "Introduction"
    assert "chronicle-fallback" not in result.page("en/01-intro/intro/")


def test_split_moves_title_en_to_the_english_file(tmp_path: Path) -> None:
    page = BILINGUAL_PAGE.replace("languages: [zh, en]\n", "title: 导论\nlanguages:\n  - zh\n  - en\n"
                                  "title_en: Overview  # the English title\nid: intro\n")
    root = write_book(tmp_path / "book", files(page))
    proc = chronicle("split", "--apply", PAGE, cwd=root)
    assert proc.returncode == 0, proc.stderr
    han = (root / PAGE).read_text(encoding="utf-8")
    other = (root / TRANSLATION).read_text(encoding="utf-8")
    assert han.startswith("---\ntitle: 导论\nid: intro\n---\n# 导言\n")
    assert other.startswith("---\ntitle: Overview  # the English title\nid: intro\ntranslated_from: ")
    proc = check(root, "--strict", "--no-cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_split_keeps_crlf_newlines(tmp_path: Path) -> None:
    root = write_book(tmp_path / "book", files())
    (root / PAGE).write_bytes(BILINGUAL_PAGE.replace("\n", "\r\n").encode("utf-8"))
    proc = chronicle("split", "--apply", PAGE, cwd=root)
    assert proc.returncode == 0, proc.stderr
    for rel in (PAGE, TRANSLATION):
        data = (root / rel).read_bytes()
        assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert check(root, "--strict", "--no-cache").returncode == 0


def test_split_refuses_to_overwrite_a_translation(book: Path) -> None:
    (book / TRANSLATION).write_text("# Mine\n", encoding="utf-8")
    before = snapshot(book)
    for args in (("split", PAGE), ("split", "--apply", PAGE)):
        proc = chronicle(*args, cwd=book)
        assert proc.returncode == 1
        assert f"{TRANSLATION} exists" in proc.stderr and "Traceback" not in proc.stderr
        assert proc.stdout == ""
    assert snapshot(book) == before


@pytest.mark.parametrize(("given", "message"), [
    ("manuscript/index.md", "manuscript/index.md is not a bilingual page"),
    ("manuscript/index.en.md", "is not a page of the book in zh"),
    ("manuscript/nothing.md", "manuscript/nothing.md is not a page of the book"),
    ("../outside.md", "is outside the book"),
    ("manuscript/link.md", "is outside the book"),  # a symlink that leads out
])
def test_split_refuses_what_is_not_a_bilingual_page_of_the_book(book: Path, given: str, message: str) -> None:
    (book.parent / "outside.md").write_text("---\nlanguages: [zh, en]\n---\n# 外 (Out)\n", encoding="utf-8")
    (book / "manuscript/link.md").symlink_to(book.parent / "outside.md")
    before = snapshot(book)
    proc = chronicle("split", "--apply", PAGE, given, cwd=book)
    assert proc.returncode == 1, proc.stdout
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert snapshot(book) == before  # the good page named first is not split either


@pytest.mark.parametrize(("body", "han", "other"), [
    # A fenced block is one block, blank lines and Chinese inside it included, in both.
    ("```\n代码\n\nmore\n```\n\n中文。\n\nEnglish.\n", "```\n代码\n\nmore\n```\n\n中文。\n",
     "```\n代码\n\nmore\n```\n\nEnglish.\n"),
    # A list item goes with its nested items.
    ("- 一\n  - 子项\n- one\n  - sub\n", "- 一\n  - 子项\n", "- one\n  - sub\n"),
    # An admonition goes with its indented body.
    ('!!! note "注意"\n\n    中文内容。\n\n!!! note\n\n    English body.\n',
     '!!! note "注意"\n\n    中文内容。\n', "!!! note\n\n    English body.\n"),
    # Link definitions, comments and rules are for both; quotes go by script.
    ("> 引用\n\n> A quote\n\n[a]: https://x.org\n\n<!-- c -->\n\n---\n",
     "> 引用\n\n[a]: https://x.org\n\n<!-- c -->\n\n---\n", "> A quote\n\n[a]: https://x.org\n\n<!-- c -->\n\n---\n"),
    # Full-width parentheses and closing hashes; a tilde fence.
    ("### 方法（Method） ###\n\n~~~\nx\n~~~\n", "### 方法\n\n~~~\nx\n~~~\n", "### Method\n\n~~~\nx\n~~~\n"),
    # Link targets, ids and code spans do not make a paragraph Chinese; a line of links is for both.
    ("See [it](../事件/x.md) and `代码`.\n\n[[gpt2]] · [[gpt3]]\n", "[[gpt2]] · [[gpt3]]\n",
     "See [it](../事件/x.md) and `代码`.\n\n[[gpt2]] · [[gpt3]]\n"),
    # A heading of one language goes by its script, like a paragraph.
    ("## 参考\n\n## References\n", "## 参考\n", "## References\n"),
])
def test_split_body(body: str, han: str, other: str) -> None:
    got_han, got_other = split_body(body)
    assert ("".join(got_han), "".join(got_other)) == (han, other)


def test_bilingual_pages_without_fallback_are_a_warning(tmp_path: Path) -> None:
    yml = MKDOCS_YML.replace("fallback_to_default: true", "fallback_to_default: false")
    root = write_book(tmp_path / "book", files(), yml)
    result = build(root)
    assert result.returncode == 1
    assert "manuscript/01-intro/intro.md and 0 other bilingual page(s) are not published" in result.output
    assert "fallback_to_default: false (set it to true" in result.output


def test_the_cache_learns_a_page_became_bilingual(tmp_path: Path) -> None:
    """The English home page's problems are cached with it; they depend on another file's front matter."""
    # Only that: its id, title and anchors stay as they were.
    page = "---\nid: intro\n---\n# Intro\n\n## 背景 (Background) {#background}\n\n中文。\n\nEnglish.\n"
    root = write_book(tmp_path / "book", files(page))
    first = check(root)
    assert "manuscript/index.en.md" in first.stdout and "untranslated-target" in first.stdout
    (root / PAGE).write_text(page.replace("id: intro", "id: intro\nlanguages: [zh, en]"), encoding="utf-8")
    second = check(root, "--strict")
    assert second.returncode == 0, second.stdout
    assert "unchanged since the last check" in second.stdout  # the cache was used


def test_titles_from_a_bilingual_page_are_escaped(tmp_path: Path) -> None:
    title_en = 'title_en: "<img src=x onerror=alert(1)> & co"'
    page = BILINGUAL_PAGE.replace("languages: [zh, en]", "languages: [zh, en]\n" + title_en)
    page = page.replace("# 导言 (Introduction)", "# 导言 <b>粗</b> (Intro <script>alert</script>)")
    root = write_book(tmp_path / "book", files(page))
    result = build(root)
    assert result.returncode == 0, result.output
    # The front matter's title is text wherever the theme prints it; the heading is the
    # author's Markdown, in the reader's part, as on any page.
    en = result.page("en/01-intro/intro/")
    assert "<img src=x" not in en
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; co" in title(en)
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; co" in nav_titles(en)
    assert h1(en) == "Intro <script>alert</script>"
    assert h1(result.page("01-intro/intro/")) == "导言 <b>粗</b>"


def test_split_a_page_the_glob_names(tmp_path: Path) -> None:
    page = BILINGUAL_PAGE.split("---\n", 2)[2]  # no front matter at all
    yml = MKDOCS_YML.replace("  - chronicle\n", "  - chronicle:\n      bilingual: ['0*/**']\n", 1)
    root = write_book(tmp_path / "book", files(page), yml)
    proc = chronicle("split", "--apply", PAGE, cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert f"note: {PAGE} still matches the option 'bilingual'" in proc.stdout
    assert (root / PAGE).read_text(encoding="utf-8").startswith("# 导言\n\n这是中文段落")
    assert (root / TRANSLATION).read_text(encoding="utf-8").startswith('---\ntranslated_from: "')
    proc = check(root, "--strict", "--no-cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = build(root)
    assert result.returncode == 0, result.output
    en = result.page("en/01-intro/intro/")
    assert h1(en) == "Introduction" and "这是中文段落" not in en  # its translation, now
