"""The `chronicle` MkDocs plugin: a thin front end over the core modules."""

from __future__ import annotations

import html as html_mod
import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink

from . import book as book_mod
from . import i18n, pages, staging
from .checks import check
from .config import ChronicleConfig
from .l10n import t
from .links import backlinks
from .navigation import rewrite_nav
from .problems import Problem
from .render import SEARCH_EXCLUDE, Blocks, mark_untranslated, render_markdown, too_complex, too_complex_notice
from .settings import ConfigError, make_settings

log = get_plugin_logger(__name__)

_TRANSLATION_CODES = {"missing-translation", "untranslated-target", "stale-translation"}


class ChroniclePlugin(BasePlugin[ChronicleConfig]):
    """Joins `manuscript/` and `knowledge/` into one bilingual site and resolves references.

    Events, in the order MkDocs calls them (mkdocs-static-i18n then calls them all again
    for every other language, on the same config object):

    - `on_config` (priority 100): stage the two trees as one docs_dir, read the book,
      run the checks once and log them, write the generated pages. Runs before
      mkdocs-static-i18n (-100), which must see the staged docs_dir.
    - `on_files` (priority 100): put chapters at the site root. Before static-i18n (-100),
      which derives each language's destination from ours.
    - `on_page_markdown`: id links, embeds, citations, the fallback notice, card footers.
    - `on_page_content`: put in the HTML that Markdown should not see (Blocks).
    - `on_page_context` (-50, after search has indexed the page): put in the HTML search
      should not see; mark links that lead to a page not in the reader's language.
    """

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.book: book_mod.Book | None = None
        self.staged: Path | None = None
        self.backlinks: dict[str, list[Any]] = {}
        self._urls: tuple[int, dict[str, File]] = (0, {})
        self._blocks: dict[str, Blocks] = {}  # page -> HTML to put in after Markdown
        self._files: Files | None = None

    # -- configuration -------------------------------------------------------------

    @event_priority(100)  # before mkdocs-static-i18n (-100): it localizes the docs_dir we set
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(config.config_file_path or ".").resolve().parent
        if self.staged is not None and Path(config.docs_dir).resolve() == self.staged:
            return config  # another language of the same build: everything is in place
        langs, default = i18n.languages(config)
        toc = config.mdx_configs.get("toc", {})
        try:
            settings = make_settings(
                root, docs_dir=config.docs_dir, options=self.config, languages=langs,
                default_language=default, slugify=toc.get("slugify"),
            )
        except ConfigError as exc:
            raise PluginError(str(exc)) from None
        self.book = book_mod.load(settings)
        if self.config.check:
            self._report(check(self.book))
        self.backlinks = backlinks(self.book)
        try:
            self.staged = staging.prepare(root, self.config.staging_dir,
                                          [settings.docs_dir, settings.knowledge_dir])
            generated = pages.generated_pages(self.book, self.config, self.backlinks, config.use_directory_urls)
            staging.write_generated(self.staged, generated)
            css = self.staged / staging.GENERATED / "assets" / "chronicle.css"
            css.parent.mkdir(exist_ok=True)
            src_css = Path(__file__).parent / "assets" / "chronicle.css"
            if not css.is_file() or css.read_bytes() != src_css.read_bytes():
                shutil.copyfile(src_css, css)
        except (OSError, staging.StagingError) as exc:
            raise PluginError(f"chronicle: cannot prepare {self.config.staging_dir}: {exc}") from None
        config.docs_dir = str(self.staged)
        if config.nav:
            config.nav = rewrite_nav(config.nav, self.book, set(pages.generated_paths(self.config).values()))
        _ensure_extensions(config)
        if "assets/chronicle.css" not in [str(x) for x in config.extra_css]:
            config.extra_css.append("assets/chronicle.css")
        if self.config.check:
            # Our checks report these with file:line; MkDocs' own copies would only repeat
            # them without a line (and misreport percent-encoded anchors).
            config.validation.links.not_found = logging.INFO
            config.validation.links.anchors = logging.INFO
        return config

    def _report(self, problems: list[Problem]) -> None:
        translation = [p for p in problems if p.code in _TRANSLATION_CODES]
        for p in problems:
            if p.code not in _TRANSLATION_CODES:
                log.warning(p.text())
        mode = self.config.untranslated
        if mode == "warn":
            for p in translation:
                log.warning(p.text())
        elif translation:
            # One line while authors serve the book; the details with --verbose or `chronicle status`.
            for p in translation:
                log.debug(p.text())
            if mode == "info":
                log.info("%d translation notice(s): pages without a translation or links to them "
                         "(run 'chronicle status', or 'mkdocs build --verbose' for each)", len(translation))

    # -- files and pages -----------------------------------------------------------

    @event_priority(100)  # before mkdocs-static-i18n (-100), which keeps our destinations
    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        if self.book is None:
            return files
        docs_dir = self.book.settings.docs_dir
        for file in files:
            file.dest_uri = staging.strip_site_prefix(file.dest_uri, docs_dir)
        return files

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        book = self.book
        if book is None:
            return markdown
        lang = i18n.current_language(config)
        src = page.file.src_uri
        blocks = self._blocks[src] = Blocks()
        doc = book.docs.get(src)
        if doc is not None and too_complex(doc):
            # Reported (page-too-complex) with the other problems; Python-Markdown would hang
            # or crash on it.
            return too_complex_notice(src)
        entry = book.by_base.get(doc.base) if doc is not None else None
        card = entry.card if entry is not None else None
        # A card's `sources` join its reference list, cited in the text or not.
        text = render_markdown(book, src, markdown, lang, blocks, card.sources if card is not None else None)
        if doc is None:
            return text
        if entry is not None and card is not None:
            if doc.lang != lang and lang in entry.titles and "title" in page.meta:
                page.meta["title"] = entry.titles[lang]  # Material prefers it for <title>
            text = pages.card_header(book, entry, lang, text, blocks) + pages.card_footer(
                book, entry, lang, src, self.backlinks, blocks, self.config.neighbourhood_graph,
                self.config.backlinks, config.use_directory_urls)
        if lang != book.default and doc.lang != lang and self.config.fallback_notice:
            name = i18n.language_name(config, doc.lang)
            notice = (
                f'<div class="admonition info chronicle-fallback" {SEARCH_EXCLUDE}>'
                f'<p class="admonition-title">{_h(t(lang, "untranslated_title"))}</p>'
                f"<p>{_h(t(lang, 'untranslated_body', language=name))}</p></div>"
            )
            text = pages.after_title(text, blocks.add(notice))
        return text

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        book = self.book
        if page.title and ("<" in page.title or "&" in page.title):
            # MkDocs takes the title from the H1's text (or front matter), unescaped, and
            # themes print it raw (nav, header, <title>): a title "<script>" would run.
            page.title = _h(page.title)
        meta_title = page.meta.get("title")
        if isinstance(meta_title, str) and ("<" in meta_title or "&" in meta_title):
            page.meta["title"] = _h(meta_title)
        self._files = files
        blocks = self._blocks.get(page.file.src_uri)
        if book is None or blocks is None:
            return html
        return blocks.fill(html, self._url_for(page, files, config))

    @event_priority(-50)  # after Material's search (0) has indexed the page: see Blocks.add
    def on_page_context(self, context: dict[str, Any], page: Page, config: MkDocsConfig, nav: Any) -> None:
        book, files = self.book, self._files
        blocks = self._blocks.pop(page.file.src_uri, None)
        if book is None or files is None or page.content is None:
            return
        html = page.content
        if blocks is not None:
            html = blocks.fill(html, self._url_for(page, files, config), late=True)
            for level, anchor, title in blocks.toc:
                _append_toc(page, AnchorLink(title, anchor, level))
        if self.config.mark_untranslated_links:
            html = self._mark_untranslated(html, page, config, files)
        page.content = html

    def _url_for(self, page: Page, files: Files, config: MkDocsConfig) -> Callable[[str], str]:
        lang = i18n.current_language(config)
        default = self.book.default if self.book is not None else lang

        def url_for(path: str) -> str:
            target = i18n.file_from_path(files, path, lang, default)
            return target.url_relative_to(page.file) if target is not None else "#"

        return url_for

    def _mark_untranslated(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        book = self.book
        assert book is not None
        lang = i18n.current_language(config)
        if lang == book.default:
            return html
        urls = self._url_map(files)

        def locale_of(url: str) -> str | None:
            file = urls.get(url + "/") or urls.get(url)
            return i18n.file_locale(file, book.default) if file is not None else None

        def label(locale: str) -> str:
            return t(lang, "untranslated_link", language=i18n.language_name(config, locale))

        return mark_untranslated(html, page.url, lang, locale_of, label)

    def _url_map(self, files: Files) -> dict[str, File]:
        if self._urls[0] != id(files):
            self._urls = (id(files), {f.url.rstrip("/") + ("/" if f.url.endswith("/") else ""): f
                                      for f in files.documentation_pages()})
        return self._urls[1]


def _ensure_extensions(config: MkDocsConfig) -> None:
    """What our Markdown needs: attr_list, md_in_html, and a Mermaid fence that Material renders."""
    for ext in ("attr_list", "md_in_html"):
        if ext not in config.markdown_extensions:
            config.markdown_extensions.append(ext)
    from pymdownx.superfences import fence_code_format

    if "pymdownx.superfences" not in config.markdown_extensions:
        config.markdown_extensions.append("pymdownx.superfences")
    options = config.mdx_configs.setdefault("pymdownx.superfences", {})
    fences = options.setdefault("custom_fences", [])
    if not any(f.get("name") == "mermaid" for f in fences):
        fences.append({"name": "mermaid", "class": "mermaid", "format": fence_code_format})


def _append_toc(page: Page, link: AnchorLink) -> None:
    """Add LINK at the end of the page's table of contents, under its last shallower heading."""
    items = page.toc.items
    while items and items[-1].level < link.level:
        parent = items[-1]
        if not parent.children or parent.children[-1].level >= link.level:
            parent.children.append(link)
            return
        items = parent.children
    items.append(link)


def _h(text: str) -> str:
    return html_mod.escape(text, quote=True)
