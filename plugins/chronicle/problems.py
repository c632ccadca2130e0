"""Problems found in the book: one shape for the checker and the plugin."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Literal

Severity = Literal["error", "warning"]

# Stable codes: CI configurations and editors may filter on them.
CODES: dict[str, str] = {
    "missing-file": "a relative link points at a file that does not exist",
    "missing-image": "an image points at a file that does not exist",
    "missing-anchor": "a #fragment names no heading or id in the target",
    "undefined-label": "a reference-style link uses a label with no definition",
    "outside-project": "a link, embed, file or symlink leads outside the project folder",
    "absolute-link": "a link to an absolute path, which no reader's site has: write it relative to the file",
    "unsafe-url": "a URL whose scheme is not http, https or mailto (javascript:, data:, file:, ...)",
    "wiki-syntax": "a [[...]] or ![[...]] that is empty or not closed on its line",
    "embed-inline": "![[id]] that does not stand alone on its line: it renders as a link",
    "page-too-complex": "a page Python-Markdown cannot render in bounded time or depth",
    "wrong-language": "a link points into the other language's file",
    "unknown-id": "[[id]] or ![[id]] names nothing in the book",
    "embed-not-card": "![[id]] names a page that is not a card",
    "embed-cycle": "cards embed each other in a cycle",
    "unknown-citation": "[@key] names no entry in the bibliography",
    "duplicate-id": "two files claim the same id",
    "encoding": "a file is not UTF-8 text",
    "frontmatter-yaml": "the front matter is not valid YAML, or uses aliases or nesting past the limits",
    "duplicate-key": "a front-matter key is given twice",
    "frontmatter-field": "a front-matter field is unknown, missing or of the wrong type",
    "unknown-reference": "a front-matter field names an id or key that does not exist",
    "translation-mismatch": "a translation's front matter disagrees with the default-language file",
    "causal-order": "an enabled_by target is dated after the event",
    "causal-cycle": "the causal graph has a cycle",
    "unsupported-verification": "a verified event has no source of credibility 1 or 2",
    "bibliography": "the BibTeX file cannot be read",
    "external-link": "an external URL does not answer (only with --external)",
    "untranslated-target": "a translated page links to a page with no translation",
    "missing-translation": "a page or card has no translation",
    "orphan-translation": "a translation (x.en.md) has no default-language file (x.md)",
    "stale-translation": "the default-language file changed after its translation",
}


@dataclass(frozen=True, order=True)
class Problem:
    """One finding, positioned in the source as the author wrote it."""

    file: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str
    target: str = ""
    hint: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "column": self.column, "severity": self.severity,
                "code": self.code, "message": self.message, "target": self.target, "hint": self.hint}

    def text(self) -> str:
        """The one-line form shared by the CLI and the MkDocs log."""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.file}:{self.line}:{self.column}: {self.severity} {self.code} {self.message}{hint}"


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Sorted by place, without duplicates (a check may meet one fault from two sides)."""
    # A key tuple, not the dataclass's own ordering: its generated __lt__ is slow on thousands.
    return sorted(set(problems), key=_place)


def _place(p: Problem) -> tuple[str, int, int, str, str, str, str]:
    return (p.file, p.line, p.column, p.severity, p.code, p.message, p.target)


assert [f.name for f in fields(Problem)] == list(Problem("", 0, 0, "error", "", "").to_dict())
