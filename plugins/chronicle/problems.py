"""Problems found in the book: one shape for the checker and the plugin."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Literal

Severity = Literal["error", "warning", "info"]

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
    "duplicate-page": "two files are the same page in one language (x.md and x.zh.md, zh the default)",
    "encoding": "a file is not UTF-8 text",
    "special-file": "a named pipe, socket or device in the book's folders: not read, not published",
    "frontmatter-yaml": "the front matter is not valid YAML, or uses aliases or nesting past the limits",
    "duplicate-key": "a front-matter key is given twice",
    "frontmatter-field": "a front-matter field is missing, of the wrong type or not one of its values",
    "unknown-field": "a card field that neither the built-in schema nor the book's `schema:` declares",
    "unknown-reference": "a front-matter field names an id or key that does not exist",
    "translation-mismatch": "a translation's front matter disagrees with the default-language file",
    "causal-order": "an enabled_by target is dated after the event",
    "causal-cycle": "the causal graph has a cycle",
    "unsupported-verification": "a verified event has no source of credibility 1 or 2",
    "bibliography": "a bibliography file (BibTeX, CSL-JSON, CSL-YAML, Markdown) cannot be read",
    "duplicate-citation-key": "two bibliography entries, in one file or in two, define the same key",
    "external-link": "an external URL does not answer (only with --external)",
    "untranslated-target": "a translated page links to a page with no translation",
    "missing-translation": "a page or card has no translation",
    "orphan-translation": "a translation (x.en.md) has no default-language file (x.md)",
    "stale-translation": "the default-language file changed after its translation",
    "no-home-page": "the book has no index.md at the root of its docs_dir: the site's root is empty",
    "rule-length": "a page is shorter or longer than the book's `rules: length` allows (zh characters, en words)",
    "rule-section": "a page lacks a heading the book's `rules: sections` requires",
    "rule-term": "a variant of a term the book's `rules: terms` prefers",
    "rule-avoid": "a phrase the book's `rules: avoid` lists",
    "rule-citation": "a citation written as plain text, (Author, Year), not as [@key] (`rules: citations`)",
}

# What to do about each, for a problem whose check has nothing more precise to say: no
# problem reaches an author without a way out.
HINTS: dict[str, str] = {
    "duplicate-page": "keep one of the two files",
    "missing-file": "the path is relative to this file: check its folders and its name",
    "missing-image": "the path is relative to this file: check its folders and its name",
    "missing-anchor": "give the heading an explicit id, e.g. '## Title {#name}'",
    "undefined-label": "define the label on a line of its own: '[label]: url'",
    "outside-project": "links and files may only lead to files of the book",
    "absolute-link": "write the path relative to this file",
    "unsafe-url": "use an http(s), mailto or relative link",
    "wiki-syntax": "write [[id]], [[id|text]] or ![[id]] alone on its line",
    "embed-inline": "put ![[id]] on a line of its own, or write [[id]] for a link",
    "page-too-complex": "split the page into smaller paragraphs, lists and sections",
    "wrong-language": "link to the default-language file: each reader is sent to their own language",
    "unknown-id": "check the id: an event's event_id, a concept's concept_id, a page's id",
    "embed-not-card": "only cards can be embedded: link to the page with [[id]]",
    "embed-cycle": "remove one of the embeds",
    "unknown-citation": "add the entry to the bibliography, or fix the key",
    "duplicate-id": "ids are unique across the book: rename one",
    "encoding": "save the file as UTF-8",
    "special-file": "delete it, or move it out of the book's folders",
    "frontmatter-yaml": "fix the YAML between the '---' lines",
    "duplicate-key": "keep one of the two",
    "frontmatter-field": "see 'Card fields' in the README for each field's type",
    "unknown-field": "declare it under plugins.chronicle.schema in mkdocs.yml, or fix its name",
    "unknown-reference": "name an id or key that exists, or remove the value",
    "translation-mismatch": "structural fields live in the default-language file; delete it here",
    "causal-order": "check both dates, or the direction of the connection",
    "causal-cycle": "remove one of the connections",
    "unsupported-verification": "cite a source of credibility 1 or 2, or lower verification_status",
    "bibliography": "fix the entry at that line",
    "duplicate-citation-key": "give one of the two entries another key, or delete the copy",
    "external-link": "fix or remove the URL, or check again later",
    "untranslated-target": "translate the target page, or link to one that has a translation",
    "missing-translation": "write the translation; 'chronicle status' lists every missing one",
    "orphan-translation": "rename it x.md, or add x.md",
    "stale-translation": "update the translation, then its translated_from",
    "no-home-page": "write index.md (and its translation index.en.md) in docs_dir: the home page, first in the nav",
    "rule-length": "write more or cut, or change the rule in mkdocs.yml",
    "rule-section": "add the section, or change the rule's glob in mkdocs.yml",
    "rule-term": "use the book's preferred term",
    "rule-avoid": "rephrase it",
    "rule-citation": "cite the bibliography entry as [@key]",
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

    def __post_init__(self) -> None:
        if not self.hint:
            object.__setattr__(self, "hint", HINTS.get(self.code, ""))

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
assert set(HINTS) == set(CODES), "every code has a default hint"
