"""The plugin's options, declared with MkDocs' own config classes.

The CLI validates the same `plugins: - chronicle:` block with these classes, so both
front ends accept and refuse the same options.
"""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.base import ValidationError

from . import rules as book_rules
from .defaults import DEFAULT_CACHE_DIR, DEFAULT_KNOWLEDGE_DIR, DEFAULT_STAGING_DIR


class Paths(c.BaseConfigOption[list[str]]):
    """One path or a list of them (read as a list); an empty list or path is refused."""

    def run_validation(self, value: object) -> list[str]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items or not all(isinstance(v, str) and v for v in items):
            raise ValidationError(f"expected a path or a list of paths, got {value!r}")
        return list(items)


class RulesOption(c.BaseConfigOption[dict]):
    """The book's own rules (rules.py): kept as written, refused with the rule's path if wrong."""

    def __init__(self) -> None:
        super().__init__()
        self.default = {}

    def run_validation(self, value: object) -> dict:
        if value is None:
            return {}
        try:
            book_rules.parse(value)
        except book_rules.RulesError as exc:
            raise ValidationError(f"plugins.chronicle.{exc}") from None
        return dict(value)  # type: ignore[call-overload]


class GeneratedPageConfig(base.Config):
    """One generated page (timeline, concept index, causal graph, translation status)."""

    enabled = c.Type(bool, default=True)
    """Build this page."""
    path = c.Optional(c.Type(str))
    """Site path of the page's Markdown, relative to the site root (e.g. `timeline.md`)."""
    title = c.Type(dict, default={})
    """Title per language code, e.g. `{zh: 时间线, en: Timeline}`; defaults are built in."""


class StatusPageConfig(GeneratedPageConfig):
    """The translation status page: for authors, so off unless asked for."""

    enabled = c.Type(bool, default=False)


class ChronicleConfig(base.Config):
    """Options of the `chronicle` plugin (`plugins: - chronicle:` in mkdocs.yml)."""

    knowledge_dir = c.Type(str, default=DEFAULT_KNOWLEDGE_DIR)
    """Folder of the cards, relative to mkdocs.yml; mounted into the same site as the chapters."""
    knowledge_dirs = c.Optional(c.ListOfItems(c.Type(str)))
    """Several card folders (replaces knowledge_dir), each mounted into the site under its own name;
    a card's kind comes from its id field (`event_id`, `concept_id`) wherever it lives."""
    unknown_fields = c.Choice(("error", "warning", "ignore"), default="error")
    """What a card field that neither the built-in schema nor `schema:` declares is."""
    schema = c.Type(dict, default={})
    """The book's own card fields, relations, labels, enum values and page fields that name cards
    (README, "Card fields")."""
    rules = RulesOption()
    """The book's own rules, checked like every other check: length per page and language,
    required sections, preferred terms, phrases to avoid, citation form (README, "The book's rules")."""
    bibliography = c.Optional(Paths())
    """Bibliography file, or a list of them, relative to mkdocs.yml: BibTeX (`.bib`), CSL-JSON
    (`.json`), CSL-YAML (`.yaml`, `.yml`) or a Markdown page of `[key]` entries (`.md`).
    Default: `<knowledge_dir>/references.bib`."""
    staging_dir = c.Type(str, default=DEFAULT_STAGING_DIR)
    """Git-ignored folder where the plugin joins the two trees (symlinks) and writes generated pages."""
    cache_dir = c.Type(str, default=DEFAULT_CACHE_DIR)
    """Git-ignored folder (it holds its own `.gitignore`) where the checks keep what they found in each
    file, so unchanged files are not read again; safe to delete. An empty string turns the cache off."""
    untranslated = c.Choice(("warn", "info", "ignore"), default="info")
    """How `mkdocs build` reports missing translations: an unfinished translation is a normal state
    of a bilingual book (the page falls back and says so), so it is not a warning unless you ask."""
    bilingual = c.ListOfItems(c.Type(str), default=[])
    """Globs, relative to docs_dir (`**` for any folders), of pages that hold every language in one
    file (as `languages: [zh, en]` in a page's front matter says): served in every language, with
    no fallback notice, and counted as translated."""
    fallback_notice = c.Type(bool, default=True)
    """Show a notice on pages shown in the default language because no translation exists."""
    mark_untranslated_links = c.Type(bool, default=True)
    """Mark links that lead a reader to a page not available in their language."""
    check = c.Type(bool, default=True)
    """Check every reference while building (the same checks as `chronicle check`)."""
    timeline = c.SubConfig(GeneratedPageConfig)
    """The timeline of all events."""
    concepts = c.SubConfig(GeneratedPageConfig)
    """The concept index."""
    graph = c.SubConfig(GeneratedPageConfig)
    """The causal graph of events."""
    status = c.SubConfig(StatusPageConfig)
    """The translation status page, for authors: off by default; not in the nav unless you put it there."""
    backlinks = c.Type(bool, default=True)
    """List the chapters and cards that reference a card at its foot."""
    neighbourhood_graph = c.Type(bool, default=True)
    """Draw each event's causal neighbourhood (one step each way) on its card."""
    repo_stats = c.Type(bool, default=False)
    """With Material and a `repo_url`, let every reader's browser ask the GitHub (or GitLab) API
    for the repository's stars, forks and latest release. A request to a third-party host, blocked
    or slow for many readers, so off unless you turn it on; the link to the repository stays."""
    search_by_language = c.Type(bool, default=True)
    """With Material's search, one index per language: a reader searches the pages of the language
    they read (`/en/` the English ones), not every language's at once."""
    incremental_serve = c.Type(bool, default=True)
    """Whether `mkdocs serve` rebuilds, after a save, only the pages the change affects (see
    incremental.py); a full rebuild each time when off. `mkdocs build` always builds everything."""
