"""A book with one broken reference of every kind, and as many look-alikes that are fine.

Each broken line carries a marker, `<!-- E:code -->` in Markdown or `# E:code` in YAML,
so the expected (file, line, code) set is read from the book itself.
"""

from __future__ import annotations

import re
from pathlib import Path

from conftest import MINI_BOOK

BROKEN: dict[str, str] = dict(MINI_BOOK)
BROKEN.update({
    "manuscript/02-broken/broken.md": """
        # 坏链接

        [缺文件](nope.md) <!-- E:missing-file -->
        [缺锚点](../01-intro/intro.md#nowhere) <!-- E:missing-anchor -->
        ![缺图片](img/none.png) <!-- E:missing-image -->
        [未定义][nolabel] <!-- E:undefined-label -->
        <a href="gone.md">raw</a> <!-- E:missing-file -->
        <img src="gone.png" alt=""> <!-- E:missing-image -->
        未知 [[no-such-id]] <!-- E:unknown-id -->
        未知引用 [@nokey2020] <!-- E:unknown-citation -->
        [英文文件](../01-intro/intro.en.md) <!-- E:wrong-language -->
        [出界](../../../etc/passwd) <!-- E:outside-project -->
        [[evt-a#only-zh]] <!-- E:missing-anchor -->
        [本页](#nope) <!-- E:missing-anchor -->
        [大小写](../01-Intro/intro.md) <!-- E:missing-file -->
        [目录](../01-intro/) <!-- E:missing-file -->

        ![[no-such-card]] <!-- E:unknown-id -->

        ![[01-intro]] <!-- E:embed-not-card -->

        ## 中文标题

        Fine: [编码锚点](#%E4%B8%AD%E6%96%87%E6%A0%87%E9%A2%98), [带标题](../01-intro/intro.md "标题"),
        [外部](https://example.com/x.md), [邮件](mailto:a@example.com), ![空格](img/a%20b.png),
        [定义][ok], [[evt-a#overview]], [[01-intro#debate|辩论]], [@smith2020],
        <a href="../01-intro/intro.md#top">raw ok</a>, [自己](broken.md#中文标题).

        `[[nope-span]]` `[x](nope-span.md)` ``[@nokey-span]``

        ```markdown
        [[nope-fence]] [x](nope-fence.md) ![[nope-fence]] [@nokey-fence]
        ```

            [[nope-indented]] [x](nope-indented.md)

        - list item

            [[evt-a]] continues the item, so it is checked (and fine)

        [ok]: ../01-intro/intro.md#debate
        """,
    "manuscript/02-broken/img/a b.png": "png",
    "knowledge/events/evt-a.md": MINI_BOOK["knowledge/events/evt-a.md"].replace(
        "## 概述 {#overview}", "## 仅中文 {#only-zh}\n\n        ## 概述 {#overview}"),
    "knowledge/events/bad-date.md": """
        ---
        event_id: bad-date
        date: 2019-13-01  # E:frontmatter-field
        title: 坏日期
        ---
        # 坏日期
        """,
    "knowledge/events/bad-field.md": """
        ---
        event_id: bad-field
        date: 2019
        title: 未知字段
        colour: red  # E:unknown-field
        significance_level: huge  # E:frontmatter-field
        ---
        # 未知字段
        """,
    "knowledge/events/bad-refs.md": """
        ---
        event_id: bad-refs
        date: 2019-01
        title: 坏引用
        verification_status: verified  # E:unsupported-verification
        sources:
          - nosuchkey  # E:unknown-reference
        technical_concepts: [nope-concept]  # E:unknown-reference
        chapter_id: 09-nowhere  # E:unknown-reference
        causal_connections:
          - enabled_by: [evt-a]  # E:causal-order
          - enables: [no-event]  # E:unknown-reference
        ---
        # 坏引用
        """,
    "knowledge/events/bad-yaml.md": """
        ---
        event_id: bad-yaml
        title: [unclosed  # E:frontmatter-yaml
        ---
        # 坏 YAML
        """,
    "knowledge/events/dup.md": """
        ---
        event_id: evt-b  # E:duplicate-id
        date: 2018
        title: 重复
        ---
        # 重复
        """,
    "knowledge/events/cycle-a.md": """
        ---
        event_id: cycle-a
        date: 2018
        title: 环甲
        causal_connections:  # E:causal-cycle
          - enables: cycle-b
        ---
        # 环甲

        ![[cycle-b]] <!-- E:embed-cycle -->
        """,
    "knowledge/events/cycle-b.md": """
        ---
        event_id: cycle-b
        date: 2018
        title: 环乙
        causal_connections:
          - influences: cycle-a
        ---
        # 环乙

        ![[cycle-a]]
        """,
    "knowledge/events/evt-b.md": MINI_BOOK["knowledge/events/evt-b.md"].replace(
        "event_id: evt-b", "event_id: evt-b  # E:duplicate-id"),
    "knowledge/events/evt-a.en.md": MINI_BOOK["knowledge/events/evt-a.en.md"].replace(
        "title: Event A", "title: Event A\n        date: 2020-01-01  # E:translation-mismatch"),
})


def expected(root: Path) -> set[tuple[str, int, str]]:
    """(file, line, code) of every marked defect in the written book."""
    found: set[tuple[str, int, str]] = set()
    for path in sorted(root.rglob("*.md")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith((".site-src", "site/")):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for code in re.findall(r"(?:<!-- |# )E:([a-z-]+)", line):
                found.add((rel, n, code))
    return found
