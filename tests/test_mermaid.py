"""An author's own Mermaid diagram is drawn with the copy of Mermaid the site serves, never one
from unpkg.com; a site with no diagram carries no copy."""

from __future__ import annotations

import re

from chronicle import theme
from conftest import build, write_book

DIAGRAM = "# 流程\n\n```mermaid\ngraph LR\n  A --> B\n```\n"
BOOK = {"manuscript/index.md": "# 首页\n", "knowledge/references.bib": ""}


def _script(html: str) -> str | None:
    head = html[: html.index("</head>")]
    found = re.search(r'<script src="([^"]*mermaid\.min\.js)"></script>', head)
    return found[1] if found else None


def test_a_page_with_a_diagram_loads_the_sites_own_mermaid(tmp_path):
    root = write_book(tmp_path / "b", {**BOOK, "manuscript/part/flow.md": DIAGRAM,
                                       "manuscript/part/flow.en.md": DIAGRAM})
    result = build(root)
    assert result.returncode == 0, result.output
    site = result.site
    served = site / theme.MERMAID_URL
    assert served.read_bytes() == theme.MERMAID.read_bytes()
    assert _script((site / "part/flow/index.html").read_text(encoding="utf-8")) == "../../assets/vendor/mermaid.min.js"
    assert _script((site / "en/part/flow/index.html").read_text(encoding="utf-8")) \
        == "../../../assets/vendor/mermaid.min.js"
    # Only where a diagram is drawn.
    assert _script((site / "index.html").read_text(encoding="utf-8")) is None
    assert "unpkg.com" not in (site / "part/flow/index.html").read_text(encoding="utf-8")


def test_a_book_without_a_diagram_ships_no_mermaid(tmp_path):
    root = write_book(tmp_path / "b", {**BOOK, "manuscript/part/flow.md": DIAGRAM})
    assert build(root).returncode == 0
    (root / "manuscript/part/flow.md").write_text("# 流程\n\n没有图。\n", encoding="utf-8")
    result = build(root)
    assert result.returncode == 0, result.output
    assert not (result.site / theme.MERMAID_URL).exists()
    assert _script((result.site / "part/flow/index.html").read_text(encoding="utf-8")) is None


def test_what_counts_as_a_diagram():
    assert theme.has_mermaid_fence("```mermaid\ngraph LR\n```\n")
    assert theme.has_mermaid_fence("> ~~~~ mermaid\n")
    assert theme.has_mermaid_fence("``` {.mermaid}\n")
    assert not theme.has_mermaid_fence("We drew it with mermaid.\n")
    assert not theme.has_mermaid_fence("```python\nmermaid = 1\n```\n")
