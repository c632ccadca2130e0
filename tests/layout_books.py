"""One small bilingual book, written in each layout multilingual MkDocs books use (see
chronicle/layouts.py), with the same deliberate problems: tests/test_layouts.py holds the
layouts to the same answers."""

from __future__ import annotations

from pathlib import Path

# (language, path inside the book's folder) -> text. Links are relative to the file, so
# they read the same in every layout.
FILES: dict[tuple[str, str], str] = {
    ("zh", "index.md"): "# 首页\n\n从[第一章](01-start/index.md)开始。\n",
    ("en", "index.md"): "# Home\n\nStart with [chapter one](01-start/index.md).\n",
    ("zh", "01-start/index.md"): (
        "# 开始\n\n"
        "见 [[e1]] 与 [[c1]]，以及[第二节](second.md#background)。\n\n"
        "缺失的[文件](missing.md)。\n\n"
        "![[e1]]\n\n"
        "未知的 [[nope]]，引用 [@smith2020] 与 [@nokey]。\n"
    ),
    ("en", "01-start/index.md"): (
        "# Start\n\n"
        "See [[e1]] and [[c1]], and [the second section](second.md#background).\n\n"
        "A [missing file](missing.md) and [its impact](../knowledge/events/e1.md#impact).\n\n"
        "![[e1]]\n\n"
        "An unknown [[nope]], citing [@smith2020].\n"
    ),
    # Not translated: a missing translation, and the English link to it is untranslated.
    ("zh", "01-start/second.md"): "# 第二节\n\n## 背景 {#background}\n\n正文。\n",
    ("zh", "knowledge/events/e1.md"): (
        "---\nevent_id: e1\ndate: 2019-02-14\ntitle: 发布\nsources: [smith2020]\n---\n\n"
        "# 发布\n\n摘要。\n\n## 影响 {#impact}\n\n很大。\n"
    ),
    ("en", "knowledge/events/e1.md"): "---\ntitle: Release\n---\n\n# Release\n\nSummary.\n",
    ("zh", "knowledge/concepts/c1.md"): (
        "---\nconcept_id: c1\ntitle: 概念\n---\n\n# 概念\n\n正文，链接[坏锚点](#nowhere)。\n"
    ),
    ("en", "knowledge/concepts/c1.md"): "---\ntitle: Concept\n---\n\n# Concept\n\nText, a [bad anchor](#nowhere).\n",
}

BIB = "@article{smith2020,\n  title = {A Paper},\n  author = {Smith, Ann},\n  year = {2020},\n}\n"

_HEAD = """site_name: Layouts
use_directory_urls: true
theme:
  name: mkdocs
  language: zh
markdown_extensions:
  - toc
  - attr_list
"""

_I18N = """  - i18n:
      docs_structure: {structure}
      fallback_to_default: true
      reconfigure_material: false
      languages:
        - locale: zh
          name: 中文
          default: true
        - locale: en
          name: English
"""

_CHRONICLE = """  - chronicle:
      knowledge_dir: {knowledge}
      cache_dir: ''
"""

LAYOUTS = ("suffix", "folder", "projects", "explicit")
# In the `explicit` layout (a suffix book), these default-language files name their language,
# `index.zh.md`, as static-i18n allows; the others are `x.md`.
EXPLICIT = ("01-start/index.md", "knowledge/events/e1.md")


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_book(root: Path, layout: str) -> list[str]:
    """The book in ROOT in LAYOUT; returns the `-f` arguments `chronicle check` takes for it."""
    if layout in ("suffix", "explicit"):
        where = {"zh": "docs/{}", "en": "docs/{}"}
        knowledge = "docs/knowledge"
    elif layout == "folder":
        where = {"zh": "docs/zh/{}", "en": "docs/en/{}"}
        knowledge = "docs/zh/knowledge"
    else:
        where = {"zh": "docs/{}", "en": "en/docs/{}"}
        knowledge = "docs/knowledge"
    for (lang, rel), text in FILES.items():
        if layout in ("suffix", "explicit") and lang == "en":
            rel = rel[:-3] + ".en.md"
        elif layout == "explicit" and rel in EXPLICIT:
            rel = rel[:-3] + ".zh.md"
        write(root, where[lang].format(rel), text)
    write(root, f"{knowledge}/references.bib", BIB)
    plugins = "plugins:\n"
    if layout != "projects":
        plugins += _I18N.format(structure="folder" if layout == "folder" else "suffix")
    plugins += _CHRONICLE.format(knowledge=knowledge)
    write(root, "mkdocs.yml", _HEAD + "docs_dir: docs\n" + plugins)
    if layout != "projects":
        return []
    write(root, "en/mkdocs.yml", "INHERIT: ../mkdocs.yml\nsite_name: Layouts (English)\ntheme:\n  name: mkdocs\n"
          "  language: en\ndocs_dir: docs\n")
    return ["-f", str(root / "mkdocs.yml"), "-f", str(root / "en/mkdocs.yml")]
