"""Shared helpers: write a small two-language book into tmp_path, build it with the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

MKDOCS_YML = """\
site_name: Mini
docs_dir: manuscript
theme:
  name: material
markdown_extensions:
  - attr_list
  - md_in_html
  - admonition
  - toc:
      slugify: !!python/object/apply:pymdownx.slugs.slugify
        kwds:
          case: lower
plugins:
  - chronicle
  - i18n:
      docs_structure: suffix
      fallback_to_default: true
      languages:
        - locale: zh
          name: 中文
          default: true
        - locale: en
          name: English
"""


@dataclass
class Result:
    returncode: int
    output: str
    site: Path

    def page(self, url: str) -> str:
        path = self.site / url.strip("/") / "index.html" if not url.endswith(".html") else self.site / url
        return path.read_text(encoding="utf-8")


def write_book(root: Path, files: dict[str, str], mkdocs_yml: str = MKDOCS_YML) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(mkdocs_yml, encoding="utf-8")
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def build(root: Path, strict: bool = True) -> Result:
    cmd = [sys.executable, "-m", "mkdocs", "build", "-f", str(root / "mkdocs.yml"), "-d", str(root / "site")]
    if strict:
        cmd.append("--strict")
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=root, timeout=300,
                          env=_env())
    return Result(proc.returncode, proc.stdout + proc.stderr, root / "site")


def check(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "chronicle.cli", "check", str(root), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=_env())


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["NO_MKDOCS_2_WARNING"] = "1"
    env.pop("CI", None)  # Material's banner and progress output are not what we test
    return env


MINI_BOOK: dict[str, str] = {
    "manuscript/index.md": """
        # 首页

        欢迎。见 [[intro-chapter]] 与 [[01-intro]]。
        """,
    "manuscript/index.en.md": """
        # Home

        Welcome. See [[01-intro]].
        """,
    "manuscript/01-intro/intro.md": """
        ---
        id: intro-chapter
        ---
        # 第一章 {#top}

        参见 [[evt-a]]，以及[事件 A 的概述](../../knowledge/events/evt-a.md#overview)。

        引用 [@smith2020]，两个 [@smith2020; @org2019]。

        ![[evt-a]]

        概念：[[concept-x|自定义文字]]；未翻译的 [[evt-b]]。

        代码 `[[nope]]` 不处理。

        ```text
        [[also-nope]] [@nokey]
        ```

        ## 争论 {#debate}

        正文。
        """,
    "manuscript/01-intro/intro.en.md": """
        # Chapter one {#top}

        See [[evt-a]] and [the overview of event A](../../knowledge/events/evt-a.md#overview).

        Citing [@smith2020], and two [@smith2020; @org2019].

        ![[evt-a]]

        Concept: [[concept-x|own text]]; untranslated [[evt-b]].

        Code `[[nope]]` is left alone.

        ## The debate {#debate}

        Body.
        """,
    "knowledge/events/evt-a.md": """
        ---
        event_id: evt-a
        date: 2019-02-14
        title: 事件甲
        title_en: Event A
        organization: OpenAI
        significance_level: critical
        verification_status: verified
        sources: [smith2020]
        tags: [gpt-2]
        causal_connections:
          - enables: [evt-b]
        technical_concepts: [concept-x]
        chapter_id: 01-intro
        ---
        # 事件甲

        事件甲的摘要，链接到[第一章](../../manuscript/01-intro/intro.md#debate)。

        ## 概述 {#overview}

        详情。
        """,
    "knowledge/events/evt-a.en.md": """
        ---
        title: Event A
        ---
        # Event A

        Summary of event A, linking to [chapter one](../../manuscript/01-intro/intro.md#debate).

        ## Overview {#overview}

        Details.
        """,
    "knowledge/events/evt-b.md": """
        ---
        event_id: evt-b
        date: 2019-05
        title: 事件乙
        causal_connections:
          enabled_by: evt-a
        ---
        # 事件乙

        只有中文。
        """,
    "knowledge/concepts/concept-x.md": """
        ---
        concept_id: concept-x
        title: 概念 X
        title_en: Concept X
        introduced: 2019
        ---
        # 概念 X

        一个概念。
        """,
    "knowledge/references.bib": """
        @article{smith2020,
          author = {Smith, Ann and Jones, Bob and Lee, Cy},
          title = {A Paper},
          journal = {J},
          year = {2020},
          credibility = {1}
        }
        @misc{org2019,
          author = {{OpenAI}},
          title = {A Post},
          year = {2019},
          credibility = {1}
        }
        """,
}


HOSTILE_TITLE = "<img src=x onerror=alert(1)><script>alert(2)</script>"

# What a stranger's pull request may write into a field, a file name or an option.
PAYLOADS = (
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "</script><script>alert(1)</script>",
)
# A title that would end a Mermaid label, add an edge and a click handler, and reconfigure Mermaid.
MERMAID_BREAKER = 'x"] --> e0; click e0 call alert(1) %%{init: {"securityLevel": "loose"}}%% `x`|y|'
EVIL_FILE = '"><img src=x onerror=alert(1)>'  # a file name
EVIL_FILE_2 = "a`<img src=x onerror=alert(1)>`|b"  # one that would end a code span or a table cell

# (file, line) of every URL the check must report as unsafe-url; the lines are those of
# HOSTILE_LINKS in its file, and of the fields in HOSTILE_BIB.
HOSTILE_LINKS = """\
# Links

[a](javascript:alert(1))
[b](  JaVaScRiPt:alert(1))
[c](&#106;avascript:alert(1))
[d](data:text/html,<script>alert(1)</script>)
[e](vbscript:msgbox(1))
[f](file:///etc/passwd)
[g][l]

[l]: javascript:alert(2)

![h](javascript:alert(3))

<a href="java&#9;script:alert(4)">i</a> <img src=' &#x6A;avascript:alert(5)'>

[ok](https://example.org/?a=1&b=2) [ok2](mailto:a@example.org) [ok3](#links) [ok4](../01-intro/intro.md)
"""
HOSTILE_BIB = """
@misc{evil-url,
  author = {Eve <img src=x onerror=alert(1)>},
  title = {Evil </script><script>alert(1)</script>},
  year = {2020},
  url = {javascript:alert(1)},
}
@misc{evil-rel,
  author = {Mallory},
  title = {"><svg onload=alert(1)>},
  year = {2021},
  url = {"><img src=x onerror=alert(1)>},
  doi = {10.1/"><img src=x onerror=alert(1)>},
  eprint = {"><svg onload=alert(1)>},
  howpublished = {\\url{javascript:alert(1)}},
  note = {<script>alert(1)</script>},
}
"""


def _yaml(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


def hostile_files(title: str = HOSTILE_TITLE) -> dict[str, str]:
    """The mini book plus cards, a page, BibTeX entries and file names that carry PAYLOADS,
    all linked, embedded and cited from a chapter; HOSTILE_LINKS in manuscript/02-evil/links.md."""
    files = dict(MINI_BOOK)
    tags = "[" + ", ".join(_yaml(p) for p in PAYLOADS) + "]"
    files["knowledge/events/evil.md"] = f"""
        ---
        event_id: evil
        date: 2019
        title: {title}
        organization: <b>Org</b>
        tags: ["<img src=x onerror=alert(3)>"]
        ---
        # {title}

        Summary.
        """
    files[f"knowledge/events/{EVIL_FILE}.md"] = f"""
        ---
        event_id: evil-file
        date: 2019-03
        title: {_yaml(MERMAID_BREAKER)}
        title_en: {_yaml(PAYLOADS[1])}
        organization: {_yaml(PAYLOADS[3])}
        tags: {tags}
        sources: [evil-url, evil-rel]
        causal_connections:
          - enabled_by: [evil]
          - enables: [evt-b]
        technical_concepts: [evil-concept]
        ---
        # {MERMAID_BREAKER}

        Summary of the evil file, see [[evil]].
        """
    files["knowledge/concepts/evil-concept.md"] = f"""
        ---
        concept_id: evil-concept
        title: {_yaml(PAYLOADS[0])}
        title_en: {_yaml(PAYLOADS[3])}
        introduced: 2019
        tags: {tags}
        ---
        # {PAYLOADS[0]}

        A concept [[evil-file]].
        """
    files[f"manuscript/02-evil/{EVIL_FILE}.md"] = f"""
        ---
        title: {_yaml(PAYLOADS[3])}
        description: {_yaml(PAYLOADS[1])}
        author: {_yaml(PAYLOADS[1])}
        tags: {tags}
        ---
        Evil page: [[evil]], [[evil-file]], [[evil-concept]], [@evil-url], [@evil-rel].

        ![[evil-file]]

        ![[evil-concept]]
        """
    files["manuscript/02-evil/links.md"] = HOSTILE_LINKS
    files[f"manuscript/02-evil/{EVIL_FILE_2}.md"] = "See [[evil]] and [links](links.md).\n"
    # MkDocs keeps the entities of a title it takes from the H1; Material's <title> unescapes it.
    files["manuscript/02-evil/title.md"] = "# &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; AT&T\n\nText.\n"
    files["manuscript/01-intro/intro.md"] += "\n        See [[evil]].\n\n        ![[evil]]\n"
    files["knowledge/references.bib"] += textwrap.indent(HOSTILE_BIB, "        ")
    return files


def hostile_yml() -> str:
    """MKDOCS_YML with search, and generated pages titled with PAYLOADS."""
    titles = "\n".join(
        f"      {name}:\n{extra}        title: {{zh: {_yaml(PAYLOADS[i % 4])}, en: {_yaml(PAYLOADS[(i + 1) % 4])}}}"
        for i, (name, extra) in enumerate((("timeline", ""), ("concepts", ""), ("graph", ""),
                                           ("status", "        enabled: true\n"))))
    return MKDOCS_YML.replace("plugins:\n  - chronicle\n", f"plugins:\n  - search\n  - chronicle:\n{titles}\n")


def write_hostile_book(root: Path, title: str = HOSTILE_TITLE) -> Path:
    return write_book(root, hostile_files(title), hostile_yml())


def build_hostile_book(root: Path, title: str = HOSTILE_TITLE) -> Result:
    """The hostile book built (not strict: its unsafe URLs are errors)."""
    result = build(write_hostile_book(root, title), strict=False)
    assert result.returncode == 0, result.output
    return result


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    return write_book(tmp_path / "book", MINI_BOOK)


@pytest.fixture(scope="module")
def mini_site(tmp_path_factory: pytest.TempPathFactory) -> Result:
    root = write_book(tmp_path_factory.mktemp("mini") / "book", MINI_BOOK)
    result = build(root)
    assert result.returncode == 0, result.output
    return result


SAMPLE_BOOK = ("mkdocs.yml", "manuscript", "knowledge", "research")  # what makes the sample book


def copy_sample_book(root: Path) -> Path:
    """A copy of the repository's sample book in ROOT (made here), to build or break."""
    import shutil

    repo = Path(__file__).resolve().parents[1]
    root.mkdir(parents=True, exist_ok=True)
    for item in SAMPLE_BOOK:
        (shutil.copytree if (repo / item).is_dir() else shutil.copy)(repo / item, root / item)
    return root


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/ from what the renderer makes now (then read the diff)")


def assert_exit_matches(proc: subprocess.CompletedProcess[str]) -> None:
    """`chronicle check --format json` exited as its own report says it must: 1 when it lists an
    error, else 0 (2, a usage or configuration error, fails here with what it printed)."""
    assert proc.returncode in (0, 1), proc.stderr
    errors = sum(p["severity"] == "error" for p in json.loads(proc.stdout)["problems"])
    assert proc.returncode == (1 if errors else 0), (proc.returncode, errors)
