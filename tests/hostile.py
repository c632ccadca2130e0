"""The hostile corpus: bad input of every kind a stranger's pull request can bring, as data.

Each Case says how to make the book (files added to or replaced in a copy of
conftest.MINI_BOOK, files removed, an edit of mkdocs.yml, symlinks) and what both front
ends must answer: the exit status of `chronicle check` (0 fine, 1 a problem in the book,
2 a configuration error) and the problems it must report at (file, line, code), or for a
configuration error the option it must name. test_hostile.py runs every case through
`chronicle check --format json` and `mkdocs build --strict` and checks what they read,
wrote and published.

Placeholders in file texts, symlink targets and mkdocs.yml: {OUTSIDE} is the absolute path
of a folder next to the book holding sentinel files, {OUTSIDE_BIB} an outside BibTeX file.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field

from conftest import MINI_BOOK, MKDOCS_YML

# Never to be seen in anything the tools print, cache, stage or publish: it is only in
# files outside the book. The outside pages also link to an id made of it, so a checker
# that reads them names it in a problem.
TOKEN = "SENTINEL9c41e7d2"
BIB = textwrap.dedent(MINI_BOOK["knowledge/references.bib"]).lstrip("\n")
OUTSIDE_BIB = BIB + f"@misc{{leak2020, title = {{{TOKEN}}}, year = {{2020}}}}\n"
OUTSIDE_FILES: dict[str, str] = {
    "secret.md": f"# {TOKEN}\n\n[[sentinel-{TOKEN}]] {TOKEN}\n",
    "chapter/secret.md": f"# {TOKEN}\n\n[[sentinel-{TOKEN}]] {TOKEN}\n",
    "secret.png": f"{TOKEN}\n",
    "cards/events/leak.md": f"---\nevent_id: leak\ndate: 2019\ntitle: {TOKEN}\n---\n# {TOKEN}\n\n"
                            f"[[sentinel-{TOKEN}]]\n",
    "cards/events/evt-a.md": MINI_BOOK["knowledge/events/evt-a.md"],
    "cards/events/evt-b.md": MINI_BOOK["knowledge/events/evt-b.md"],
    "cards/concepts/concept-x.md": MINI_BOOK["knowledge/concepts/concept-x.md"],
    "cards/references.bib": OUTSIDE_BIB,
}

# Script in data: each part is a different way out of text or an attribute. A built file
# that carries any of them as markup has not escaped it.
PAYLOAD = "\"'><svg onload=alert(PWN)><img src=x onerror=alert(PWN)><script>alert(PWN)</script>"
Q = json.dumps(PAYLOAD)  # as a YAML double-quoted scalar
JS_URL = "javascript:alert(PWN)"

# (file, line, code): line is a number, a needle (the first line of the file that holds
# it) or a tuple of numbers the design leaves open; code may be a tuple of acceptable codes.
Expect = tuple[str, "int | str | tuple[int, ...]", "str | tuple[str, ...]"]


@dataclass(frozen=True)
class Case:
    name: str
    status: int  # of `chronicle check`: 0, 1 (the book) or 2 (the configuration)
    files: dict[str, str | bytes] = field(default_factory=dict)
    problems: tuple[Expect, ...] = ()
    option: str = ""  # for status 2: the option the message must name
    remove: tuple[str, ...] = ()  # files (or folder prefixes) of MINI_BOOK to leave out
    links: dict[str, str] = field(default_factory=dict)  # symlink in the book -> target
    yml: Callable[[str], str] | None = None
    payload: bool = False  # built files must carry PAYLOAD escaped (built without --strict if need be)
    forbidden: tuple[str, ...] = ()  # outside text that must never be read: e.g. /etc/passwd's
    mkdocs_validates: bool = False  # MkDocs' config classes refuse it, in their own words, before the plugin runs
    warning: bool = False  # the problems are warnings: check exits 0, the strict build fails on them
    reach: bool = True  # the payload must be on the site as text (not where the data is refused)
    also: tuple[str, ...] = ()  # codes of errors that may follow from the expected ones (the card is lost)


def edit(text: str, old: str, new: str) -> str:
    """TEXT with OLD, which must be there once, replaced by NEW."""
    assert text.count(old) == 1, (old, text)
    return text.replace(old, new)


def chapter(body: str | bytes, name: str = "manuscript/09-hostile/page.md") -> dict[str, str | bytes]:
    return {name: body}


def plugin_options(options: str) -> Callable[[str], str]:
    """mkdocs.yml with `- chronicle:` given OPTIONS (YAML lines, indented under it)."""
    block = textwrap.indent(textwrap.dedent(options).strip("\n"), " " * 6)

    def edit(yml: str) -> str:
        assert "  - chronicle\n" in yml
        return yml.replace("  - chronicle\n", f"  - chronicle:\n{block}\n")
    return edit


def replace(old: str, new: str) -> Callable[[str], str]:
    def edit(yml: str) -> str:
        assert old in yml, old
        return yml.replace(old, new)
    return edit


def appended(path: str, text: str) -> dict[str, str | bytes]:
    return {path: textwrap.dedent(MINI_BOOK[path]).lstrip("\n") + textwrap.dedent(text).lstrip("\n")}


EVT_B = textwrap.dedent(MINI_BOOK["knowledge/events/evt-b.md"]).lstrip("\n")
INTRO = "manuscript/01-intro/intro.md"
PAGE = "manuscript/09-hostile/page.md"


def _card_with(path: str, extra: str) -> dict[str, str | bytes]:
    """evt-b with EXTRA front-matter lines after its title."""
    return {path: EVT_B.replace("title: 事件乙\n", "title: 事件乙\n" + textwrap.dedent(extra).lstrip("\n"))}


def _alias_bomb(levels: int) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines)


def _nested_list(depth: int) -> str:
    return "".join("  " * i + "- x\n" for i in range(depth))


def _backtick_runs(longest: int) -> str:
    # Unclosed runs of growing length: each run makes a naive code-span search read the rest.
    return "\n\n".join("`" * n + " a" for n in range(1, longest)) + "\n"


# Errors that follow where the front matter cannot be read at all: the card's id is lost.
LOST = ("unknown-id", "unknown-reference")

CASES: list[Case] = [
    # -- confinement: symlinks out of the book ---------------------------------------------
    Case("symlink-chapter-folder-out", 1, links={"manuscript/05-x": "{OUTSIDE}/chapter"},
         problems=(("manuscript/05-x", 1, "outside-project"),)),
    Case("symlink-chapter-file-out", 1, links={"manuscript/01-intro/leak.md": "{OUTSIDE}/secret.md"},
         problems=(("manuscript/01-intro/leak.md", 1, "outside-project"),)),
    Case("symlink-chapter-relative-out", 1, links={"manuscript/06-y": "../../outside/chapter"},
         problems=(("manuscript/06-y", 1, "outside-project"),)),
    Case("symlink-card-to-etc-passwd", 1, links={"knowledge/events/passwd.md": "/etc/passwd"},
         problems=(("knowledge/events/passwd.md", 1, "outside-project"),), forbidden=("root:x:0:0",)),
    Case("symlink-card-out", 1, links={"knowledge/events/leak.md": "{OUTSIDE}/cards/events/leak.md"},
         problems=(("knowledge/events/leak.md", 1, "outside-project"),)),
    Case("symlink-image-out", 1, links={"manuscript/01-intro/pic.png": "{OUTSIDE}/secret.png"},
         files=appended(INTRO, "\n![pic](pic.png)\n"),
         problems=(("manuscript/01-intro/pic.png", 1, "outside-project"),),
         also=("outside-project",)),  # the image that shows it may be reported too
    Case("symlink-knowledge-dir-out", 2, option="knowledge_dir", remove=("knowledge/",),
         links={"knowledge": "{OUTSIDE}/cards"}),
    Case("symlink-docs-dir-out", 2, option="docs_dir", remove=("manuscript/",),
         links={"manuscript": "{OUTSIDE}/chapter"}),
    Case("symlink-bibliography-out", 2, option="bibliography", remove=("knowledge/references.bib",),
         links={"knowledge/references.bib": "{OUTSIDE_BIB}"}),
    # -- confinement: options that lead outside or into the sources --------------------------
    Case("knowledge-dir-dotdot", 2, option="knowledge_dir", yml=plugin_options("knowledge_dir: .."),),
    Case("knowledge-dir-dot-slash-dotdot", 2, option="knowledge_dir", yml=plugin_options("knowledge_dir: ./..")),
    Case("knowledge-dir-absolute", 2, option="knowledge_dir", yml=plugin_options("knowledge_dir: {OUTSIDE}/cards")),
    Case("knowledge-dir-etc", 2, option="knowledge_dir", yml=plugin_options("knowledge_dir: /etc")),
    Case("knowledge-dir-symlink", 2, option="knowledge_dir", links={"cards": "{OUTSIDE}/cards"},
         yml=plugin_options("knowledge_dir: cards")),
    Case("bibliography-etc-passwd", 2, option="bibliography",
         yml=plugin_options("bibliography: ../../../../etc/passwd"), forbidden=("root:x:0:0",)),
    Case("bibliography-absolute", 2, option="bibliography", yml=plugin_options("bibliography: {OUTSIDE_BIB}")),
    Case("bibliography-dotdot", 2, option="bibliography", yml=plugin_options("bibliography: ../outside.bib")),
    Case("cache-dir-manuscript", 2, option="cache_dir", yml=plugin_options("cache_dir: manuscript")),
    Case("cache-dir-card-folder", 2, option="cache_dir", yml=plugin_options("cache_dir: knowledge/events")),
    Case("cache-dir-outside", 2, option="cache_dir", yml=plugin_options("cache_dir: ./../x")),
    Case("cache-dir-absolute", 2, option="cache_dir", yml=plugin_options("cache_dir: {OUTSIDE}/cache")),
    Case("cache-dir-project-root", 2, option="cache_dir", yml=plugin_options("cache_dir: .")),
    Case("staging-dir-card-folder", 2, option="staging_dir", yml=plugin_options("staging_dir: knowledge/events")),
    Case("staging-dir-manuscript", 2, option="staging_dir", yml=plugin_options("staging_dir: manuscript")),
    Case("staging-dir-outside", 2, option="staging_dir", yml=plugin_options("staging_dir: ../staging")),
    Case("staging-dir-project-root", 2, option="staging_dir", yml=plugin_options("staging_dir: .")),
    Case("docs-dir-dotdot", 2, option="docs_dir", yml=replace("docs_dir: manuscript", "docs_dir: ../outside")),
    Case("docs-dir-absolute", 2, option="docs_dir", yml=replace("docs_dir: manuscript", "docs_dir: {OUTSIDE}")),
    # -- options of the wrong type ------------------------------------------------------------
    Case("plugin-options-not-a-mapping", 2, mkdocs_validates=True,
         option="chronicle", yml=replace("  - chronicle\n", "  - chronicle: 5\n")),
    Case("i18n-languages-not-a-list", 2, mkdocs_validates=True, option="languages",
         yml=lambda y: y.split("      languages:\n")[0] + "      languages: 5\n"),
    Case("knowledge-dir-not-a-string", 2, mkdocs_validates=True,
         option="knowledge_dir", yml=plugin_options("knowledge_dir: 5")),
    Case("cache-dir-a-list", 2, mkdocs_validates=True, option="cache_dir", yml=plugin_options("cache_dir: [a, b]")),
    Case("untranslated-not-a-choice", 2, mkdocs_validates=True,
         option="untranslated", yml=plugin_options("untranslated: 5")),
    Case("check-not-a-boolean", 2, mkdocs_validates=True, option="check", yml=plugin_options("check: maybe")),
    Case("timeline-not-a-mapping", 2, mkdocs_validates=True, option="timeline", yml=plugin_options("timeline: 5")),
    # -- script through data: cards, BibTeX, file names, options -------------------------------
    Case("bibtex-url-breaks-attribute", 0, payload=True, files={
        "knowledge/references.bib": edit(BIB,
            "  credibility = {1}\n}\n@misc", f"  credibility = {{1}},\n  url = {{{PAYLOAD}}}\n}}\n@misc")},
         reach=False),
    Case("bibtex-url-javascript", 1, payload=True, files={
        "knowledge/references.bib": edit(BIB,
            "  credibility = {1}\n}\n@misc", f"  credibility = {{1}},\n  url = {{{JS_URL}}}\n}}\n@misc")}, reach=False,
         problems=(("knowledge/references.bib", "url = {javascript", "unsafe-url"),)),
    Case("bibtex-fields-script", 0, payload=True, files={
        "knowledge/references.bib": edit(edit(edit(
            BIB, "title = {A Paper}", f"title = {{{PAYLOAD}}}"), "journal = {J}", f"journal = {{{PAYLOAD}}}"),
            "Smith, Ann and", f"Smith{PAYLOAD}, Ann and")}),
    Case("card-fields-html", 0, payload=True, files={
        "knowledge/events/evil.md": f"""---
event_id: evil
date: 2019
title: {Q}
title_en: {Q}
organization: {Q}
tags: [{Q}, plain]
causal_connections:
  - demonstrates: {Q}
---
# Evil card

Summary.
""",
        **appended(INTRO, "\nSee [[evil]].\n\n![[evil]]\n"),
        **appended("manuscript/01-intro/intro.en.md", "\nSee [[evil]].\n\n![[evil]]\n")}),
    Case("concept-fields-html", 0, payload=True, files={
        "knowledge/concepts/concept-evil.md": f"""---
concept_id: concept-evil
concept_name_zh: {Q}
concept_name_en: {Q}
introduced: 2019
---
# Concept

Text.
""",
        **appended(INTRO, "\nSee [[concept-evil]].\n")}),
    Case("translation-title-html", 0, payload=True, files={
        "knowledge/events/evt-a.en.md": f"---\ntitle: {Q}\n---\n# Event A\n\n## Overview {{#overview}}\n\nDetails.\n"}),
    Case("page-title-html", 0, payload=True, files={PAGE: f"---\ntitle: {Q}\n---\n# Plain\n\nText.\n",
                                                    **appended(INTRO, "\n[[09-hostile]]\n")}),
    Case("file-name-html", 0, payload=True, files={
        "manuscript/09-hostile/\"'><svg onload=alert(PWN)>.md": "Text, no heading: the title is the file's name.\n"}),
    Case("option-titles-html", 0, payload=True, yml=plugin_options(f"""
        timeline:
          title: {{zh: {Q}, en: {Q}}}
        concepts:
          title: {{zh: {Q}, en: {Q}}}
        graph:
          title: {{zh: {Q}, en: {Q}}}
        """)),
    Case("link-javascript", 1, files=chapter("# P\n\n[x](javascript:alert(1))\n"),
         problems=((PAGE, 3, "unsafe-url"),)),
    Case("link-data-url", 1, files=chapter("# P\n\n[x](data:text/html;base64,PHNjcmlwdD4=)\n"),
         problems=((PAGE, 3, "unsafe-url"),)),
    Case("html-href-javascript", 1, files=chapter("# P\n\n<a href=\"JavaScript:alert(1)\">x</a>\n"),
         problems=((PAGE, 3, "unsafe-url"),)),
    Case("image-vbscript", 1, files=chapter("# P\n\nText.\n\n![x](vbscript:msgbox(1))\n"),
         problems=((PAGE, 5, "unsafe-url"),)),
    # -- paths that leave the project ------------------------------------------------------------
    Case("link-dotdot-etc-passwd", 1, files=chapter("# P\n\n[x](../../../../etc/passwd)\n"),
         problems=((PAGE, 3, "outside-project"),), forbidden=("root:x:0:0",)),
    Case("image-dotdot-etc-passwd", 1, files=chapter("# P\n\n![x](../../../../etc/passwd)\n"),
         problems=((PAGE, 3, "outside-project"),), forbidden=("root:x:0:0",)),
    Case("html-link-dotdot-etc-passwd", 1, files=chapter("# P\n\n<a href=\"../../../../../etc/passwd\">x</a>\n"),
         problems=((PAGE, 3, "outside-project"),), forbidden=("root:x:0:0",)),
    Case("html-img-dotdot-outside", 1, files=chapter("# P\n\n<img src=\"../../../outside/secret.png\" alt=\"\">\n"),
         problems=((PAGE, 3, "outside-project"),)),
    Case("embed-path-out", 1, files=chapter("# P\n\n![[../../../../etc/passwd]]\n"),
         problems=((PAGE, 3, ("unknown-id", "outside-project", "wiki-syntax")),), forbidden=("root:x:0:0",)),
    Case("link-absolute-etc-passwd", 1, files=chapter("# P\n\n[x](/etc/passwd)\n"),
         problems=((PAGE, 3, "absolute-link"),), forbidden=("root:x:0:0",)),
    Case("link-outside-percent-encoded", 1, files=chapter("# P\n\n[x](..%2F..%2F..%2Foutside%2Fsecret.md)\n"),
         problems=((PAGE, 3, "outside-project"),)),
    # -- wiki syntax ---------------------------------------------------------------------------
    Case("embed-empty", 1, files=chapter("# P\n\n![[]]\n"), problems=((PAGE, 3, "wiki-syntax"),)),
    Case("wiki-empty", 1, files=chapter("# P\n\nSee [[]] here.\n"), problems=((PAGE, 3, "wiki-syntax"),)),
    Case("wiki-unclosed", 1, files=chapter("# P\n\nSee [[x here.\n"), problems=((PAGE, 3, "wiki-syntax"),)),
    Case("embed-inline", 0, warning=True, files=chapter("# P\n\nText ![[evt-a]] more.\n"),
         problems=((PAGE, 3, "embed-inline"),)),
    Case("embed-inline-unknown", 1, files=chapter("# P\n\nText ![[nope]] more.\n"),
         problems=((PAGE, 3, "embed-inline"), (PAGE, 3, "unknown-id"))),
    # -- the design's Errors standard ---------------------------------------------------------
    Case("unknown-id", 1, files=chapter("# P\n\n[[evt-zzz]]\n"), problems=((PAGE, 3, "unknown-id"),)),
    Case("duplicate-id", 1, files={"knowledge/events/dup.md": EVT_B.replace("事件乙", "重复")},
         problems=(("knowledge/events/dup.md", "event_id", "duplicate-id"),
                   ("knowledge/events/evt-b.md", "event_id", "duplicate-id"))),
    Case("embed-cycle", 1, files={
        **appended("knowledge/events/evt-a.md", "\n![[evt-b]]\n"),
        "knowledge/events/evt-b.md": EVT_B + "\n![[evt-a]]\n"},
         problems=(("knowledge/events/evt-a.md", "![[evt-b]]", "embed-cycle"),)),
    Case("self-embed", 1, files={"knowledge/events/evt-b.md": EVT_B + "\n![[evt-b]]\n"},
         problems=(("knowledge/events/evt-b.md", "![[evt-b]]", "embed-cycle"),)),
    Case("malformed-yaml", 1, files={"knowledge/events/evt-b.md": EVT_B.replace("title: 事件乙", "title: [事件乙")},
         problems=(("knowledge/events/evt-b.md", (2, 3, 4, 5, 6, 7), "frontmatter-yaml"),),
         also=LOST),
    Case("wrong-types", 1, files={"knowledge/events/evt-b.md": EVT_B.replace(
        "title: 事件乙\n", "title: 事件乙\ntags: 5\nsources: {a: 1}\norganization: [x]\n").replace(
        "causal_connections:\n  enabled_by: evt-a\n", "causal_connections: 5\n")},
         problems=(("knowledge/events/evt-b.md", "tags:", "frontmatter-field"),
                   ("knowledge/events/evt-b.md", "sources:", "frontmatter-field"),
                   ("knowledge/events/evt-b.md", "organization:", "frontmatter-field"),
                   ("knowledge/events/evt-b.md", "causal_connections:", "frontmatter-field"))),
    Case("card-title-number", 1, files={"knowledge/events/evt-b.md": EVT_B.replace("title: 事件乙", "title: 12345")},
         problems=(("knowledge/events/evt-b.md", "title:", "frontmatter-field"),)),
    Case("page-title-number", 1, files={PAGE: "---\ntitle: 12345\n---\n# P\n\nText.\n"},
         problems=((PAGE, 2, "frontmatter-field"),)),
    Case("card-id-html", 1, files={"knowledge/events/evt-b.md": EVT_B.replace("event_id: evt-b", f"event_id: {Q}")},
         problems=(("knowledge/events/evt-b.md", "event_id:", "frontmatter-field"),), payload=True, reach=False,
         also=("unknown-id", "unknown-reference")),
    Case("card-date-list", 1, files={"knowledge/events/evt-b.md": EVT_B.replace("date: 2019-05", "date: [2019]")},
         problems=(("knowledge/events/evt-b.md", "date:", "frontmatter-field"),)),
    # -- front matter: bounded, exact ---------------------------------------------------------
    Case("alias-bomb", 1, files={"knowledge/events/evt-a.en.md":
                                 f"---\ntitle: Event A\n{_alias_bomb(9)}\n---\n# Event A\n\n## Overview {{#overview}}\n"
                                 },
         problems=(("knowledge/events/evt-a.en.md", tuple(range(1, 13)), "frontmatter-yaml"),)),
    Case("frontmatter-nested-1000", 1, files={"knowledge/events/evt-b.md": EVT_B.replace(
        "title: 事件乙\n", "title: 事件乙\nx: " + "[" * 1000 + "]" * 1000 + "\n")},
         problems=(("knowledge/events/evt-b.md", (1, 2, 3, 4, 5), "frontmatter-yaml"),),
         also=LOST),
    Case("duplicate-key", 1, files={"knowledge/events/evt-b.md": EVT_B.replace(
        "title: 事件乙\n", "title: 事件乙\ntitle: 又一个\n")},
         problems=(("knowledge/events/evt-b.md", "title: 又一个", "duplicate-key"),)),
    Case("orphan-translation", 0, warning=True,
         files={"manuscript/01-intro/lonely.en.md": "# Lonely\n\nNo original.\n"},
         problems=(("manuscript/01-intro/lonely.en.md", 1, "orphan-translation"),)),
    Case("bom-card", 0, files={"knowledge/events/evt-b.md": ("\ufeff" + EVT_B).encode("utf-8")}),
    Case("latin1-chapter", 1, files={PAGE: "# P\n\nCaf\xe9 cr\xe8me.\n".encode("latin-1")},
         problems=((PAGE, (1, 3), "encoding"),)),
    Case("latin1-card", 1, files={
        "knowledge/events/evt-b.md": EVT_B.encode().replace("title: 事件乙".encode(), b"title: Caf\xe9")},
         problems=(("knowledge/events/evt-b.md", (1, 4), "encoding"),),
         also=LOST),
    Case("utf16-chapter", 1, files={PAGE: "# P\n\nText.\n".encode("utf-16")},
         problems=((PAGE, 1, "encoding"),)),
    Case("nel-ends-a-yaml-line", 0, files={"knowledge/events/evt-b.md": EVT_B.replace(
        "date: 2019-05\ntitle: 事件乙\n", "title: 事件乙\x85date: 2019-05\n")}),
    Case("line-separator-ends-a-yaml-line", 0, files={"knowledge/events/evt-b.md": EVT_B.replace(
        "date: 2019-05\ntitle: 事件乙\n", "title: 事件乙\u2028date: 2019-05\n")}),
    Case("nul-in-front-matter", 1, files={
        "knowledge/events/evt-b.md": EVT_B.replace("title: 事件乙", "title: 事件\x00乙")},
         problems=(("knowledge/events/evt-b.md", (1, 4), ("frontmatter-yaml", "encoding")),),
         also=LOST),
    # -- the body: positions and odd bytes ----------------------------------------------------
    Case("nul-in-link", 1, files=chapter("# P\n\nA\x00B [x](a\x00b.md)\n"), problems=((PAGE, 3, "missing-file"),)),
    Case("crlf-chapter", 1, files=chapter(b"# P\r\n\r\nText.\r\n\r\n[x](nope.md)\r\n"),
         problems=((PAGE, 5, "missing-file"),)),
    Case("crlf-card", 0, files={"knowledge/events/evt-b.md": EVT_B.replace("\n", "\r\n").encode()}),
    Case("unicode-line-breaks-in-body", 1, files=chapter(
        "# P\n\na\u2028b\u2029c\x85d\x0be\x0cf\x1cg\x1dh\x1ei [x](nope.md)\n"),
         problems=((PAGE, 3, "missing-file"),)),
    Case("file-name-with-newline", 1, files={"manuscript/09-hostile/new\nline.md": "# P\n\n[x](nope.md)\n"},
         problems=(("manuscript/09-hostile/new\nline.md", 3, "missing-file"),)),
    Case("bibtex-unbalanced", 1, files={"knowledge/references.bib": edit(BIB,
        "title = {A Paper},", "title = {A Paper,")},
         problems=(("knowledge/references.bib", tuple(range(1, 14)), "bibliography"),),
         also=("unknown-citation", "unknown-reference", "unsupported-verification")),
    Case("empty-file", 0, files=chapter("")),
    Case("only-dashes", 0, files=chapter("---\n")),
    Case("card-only-dashes", 1, files={"knowledge/events/empty.md": "---\n"},
         problems=(("knowledge/events/empty.md", (1, 2), "frontmatter-field"),)),
    # -- nothing inside code is checked (found by test_properties: Python-Markdown renders these as code)
    Case("code-span-after-stray-backtick", 0, files=chapter("# P\n\nA ` alone.\n\nSee `[[nope]]` here.\n")),
    Case("indented-code-in-blockquote", 0, files=chapter("# P\n\n>     [[nope]] [x](nope.md)\n")),
    Case("fence-in-blockquote", 0, files=chapter("# P\n\n> ```\n> [[nope]]\n> ```\n")),
    Case("indented-code-opening-admonition", 0, files=chapter("# P\n\n!!! note\n        [[nope]]\n")),
    Case("indented-code-after-comment", 0, files=chapter("# P\n\n<!-- c -->\n    [[nope]]\n")),
    # -- bounded work: every case finishes in a few seconds ------------------------------------
    Case("backtick-runs", 0, files=chapter("# P\n\n" + _backtick_runs(500))),
    Case("alternating-indent", 0, files=chapter("# P\n\n" + "    code\nplain\n" * 20000)),
    Case("paragraph-50000-lines", 1, files=chapter("# P\n\n" + "[a](page.md) b\n" * 50000),
         problems=((PAGE, (1, 3), "page-too-complex"),)),
    Case("list-nested-1000", 1, files=chapter("# P\n\n" + _nested_list(1000)),
         problems=((PAGE, (1, 3, 4), "page-too-complex"),)),  # 4: the first nested line
    # Python-Markdown stops nesting quotes near 300 deep and renders the rest flat: not the author's page either.
    Case("blockquote-nested-1000", 1, files=chapter("# P\n\n" + ">" * 1000 + " deep\n"),
         problems=((PAGE, (1, 3), "page-too-complex"),)),
    Case("emphasis-nested-5000", 0, files=chapter("# P\n\n" + "*_" * 5000 + "x" + "_*" * 5000 + "\n")),
    Case("huge-file", 0, files=chapter("# P\n\n" + "Plain words in a paragraph, nothing else.\n\n" * 6000)),
    Case("one-long-line", 0, files=chapter("# P\n\n" + "word " * 50000 + "\n")),
    # Python-Markdown's link pattern is quadratic in unclosed brackets (2,000: 1 s; 20,000: 100 s).
    Case("brackets-unclosed-20000", 1, files=chapter("# P\n\n" + "[" * 20000 + "\n"),
         problems=((PAGE, (1, 3), "page-too-complex"),)),
]

BY_NAME = {c.name: c for c in CASES}
assert len(BY_NAME) == len(CASES)

# The search plugin (and its index) only where a payload must be looked for: it doubles a build's time.
MKDOCS = MKDOCS_YML
MKDOCS_SEARCH = MKDOCS_YML.replace("plugins:\n", "plugins:\n  - search\n", 1)
