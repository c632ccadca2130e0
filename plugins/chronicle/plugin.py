"""The `chronicle` MkDocs plugin: a thin front end over the core modules."""

from __future__ import annotations

import logging
import posixpath
import re
import shutil
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from . import book as book_mod
from . import i18n, pages, scanner, staging
from .checks import check
from .config import ChronicleConfig
from .l10n import t
from .links import backlinks
from .problems import Problem
from .render import md_text, render_markdown
from .settings import ConfigError, make_settings
from .status import statuses

log = get_plugin_logger(__name__)

_A_HREF = re.compile(r'<a (?P<before>[^>]*?)href="(?P<href>[^"#]*)(?P<frag>#[^"]*)?"')
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
    - `on_page_content`: mark links that lead to a page not in the reader's language.
    """

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.book: book_mod.Book | None = None
        self.staged: Path | None = None
        self.backlinks: dict[str, list[Any]] = {}
        self.generated: dict[str, str] = {}
        self._urls: tuple[int, dict[str, File]] = (0, {})

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
            self.generated = self._generated_pages(config)
            files = {path: text for path, text in self.generated.items()}
            staging.write_generated(self.staged, files)
            css = self.staged / staging.GENERATED / "assets" / "chronicle.css"
            css.parent.mkdir(exist_ok=True)
            src_css = Path(__file__).parent / "assets" / "chronicle.css"
            if not css.is_file() or css.read_bytes() != src_css.read_bytes():
                shutil.copyfile(src_css, css)
        except (OSError, staging.StagingError) as exc:
            raise PluginError(f"chronicle: cannot prepare {self.config.staging_dir}: {exc}") from None
        config.docs_dir = str(self.staged)
        if config.nav:
            config.nav = self._nav(config.nav, settings)
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

    def _generated_paths(self) -> dict[str, str]:
        """Option name -> the generated page's path (relative to the site root)."""
        defaults = {"timeline": "timeline.md", "concepts": "concepts.md", "graph": "graph.md",
                    "status": "translations.md"}
        out = {}
        for name, default in defaults.items():
            sub = self.config[name]
            if sub.enabled:
                out[name] = (sub.path or default).strip("/")
        return out

    def _generated_pages(self, config: MkDocsConfig) -> dict[str, str]:
        book = self.book
        assert book is not None
        udu = config.use_directory_urls
        out: dict[str, str] = {}
        items = statuses(book) if "status" in self._generated_paths() else []
        for name, path in self._generated_paths().items():
            for lang in book.settings.languages:
                rel = path if lang == book.default else f"{path[:-3]}.{lang}.md"
                src = f"{staging.GENERATED}/{rel}"
                title = self.config[name].title.get(lang)
                if name == "timeline":
                    text = pages.timeline(book, lang, src)
                elif name == "concepts":
                    text = pages.concept_index(book, lang, src, self.backlinks)
                elif name == "graph":
                    text = pages.graph_page(book, lang, src, udu)
                else:
                    text = pages.status_page(book, lang, src, items)
                if title:
                    text = re.sub(r"\A# [^\n]*", "# " + title.replace("\\", "\\\\"), text)
                out[rel] = text
        return out

    def _nav(self, nav: Any, settings: Any) -> Any:
        """Nav paths are written relative to docs_dir (`../knowledge/...` for cards); a
        folder ending in '/' lists its cards (events by date)."""
        generated = set(self._generated_paths().values())
        book = self.book
        assert book is not None

        def path(p: str) -> Any:
            if re.match(r"^[a-z][a-z0-9+.-]*:", p) or p.startswith("/"):
                return p
            if p in generated:
                return f"{staging.GENERATED}/{p}"
            full = posixpath.normpath(posixpath.join(settings.docs_dir, p))
            if p.endswith("/"):
                folder = full + "/"
                docs = [d for d in book.docs.values() if d.lang == book.default and d.path.startswith(folder)]
                def key(d: book_mod.Doc) -> tuple:
                    entry = book.by_base.get(d.path)
                    if entry is not None and entry.kind == "event":
                        return (0, entry.card.sort_key(), d.path)
                    return (1, (0, 0, 0), book.title(d.path, book.default).casefold())
                return [d.path for d in sorted(docs, key=key)]
            return full

        def walk(items: Any) -> Any:
            if isinstance(items, list):
                return [walk(i) for i in items]
            if isinstance(items, dict):
                return {k: walk(v) for k, v in items.items()}
            if isinstance(items, str):
                return path(items)
            return items

        return walk(nav)

    # -- files and pages -----------------------------------------------------------

    @event_priority(100)  # before mkdocs-static-i18n (-100), which keeps our destinations
    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        if self.book is None:
            return files
        prefixes = (self.book.settings.docs_dir + "/", staging.GENERATED + "/")
        for file in files:
            for prefix in prefixes:
                if file.src_uri.startswith(prefix):
                    file.dest_uri = file.dest_uri[len(prefix):]
                    break
        return files

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        book = self.book
        if book is None:
            return markdown
        lang = i18n.current_language(config)
        src = page.file.src_uri
        text = render_markdown(book, src, markdown, lang)
        doc = book.docs.get(src)
        if doc is None:
            return text
        entry = book.by_base.get(doc.base)
        if entry is not None and entry.card is not None:
            if doc.lang != lang and lang in entry.titles and "title" in page.meta:
                page.meta["title"] = entry.titles[lang]  # Material prefers it for <title>
            text = _card_meta(book, entry, lang, text) + pages.card_footer(
                book, entry, lang, src, self.backlinks, self.config.neighbourhood_graph,
                self.config.backlinks, config.use_directory_urls)
        if lang != book.default and doc.lang != lang and self.config.fallback_notice:
            name = i18n.language_name(config, doc.lang)
            notice = (
                '<div class="admonition info chronicle-fallback">'
                f'<p class="admonition-title">{_h(t(lang, "untranslated_title"))}</p>'
                f"<p>{_h(t(lang, 'untranslated_body', language=name))}</p></div>\n\n"
            )
            text = _after_title(text, notice)
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
        if book is None or not self.config.mark_untranslated_links:
            return html
        lang = i18n.current_language(config)
        if lang == book.default:
            return html
        urls = self._url_map(files)
        base = page.url if page.url.endswith("/") or not page.url else posixpath.dirname(page.url) + "/"

        def mark(m: re.Match[str]) -> str:
            href = m.group("href")
            if not href or "://" in href or href.startswith(("mailto:", "/", "#")):
                return m.group(0)
            target = posixpath.normpath(posixpath.join(base, href))
            target = "" if target == "." else target
            file = urls.get(target + "/") or urls.get(target)
            if file is None or not file.is_documentation_page():
                return m.group(0)
            locale = i18n.file_locale(file, book.default)
            if locale == lang:
                return m.group(0)
            name = i18n.language_name(config, locale)
            label = _h(t(lang, "untranslated_link", language=name))
            before = m.group("before")
            if 'class="' in before:
                before = before.replace('class="', 'class="chronicle-untranslated ', 1)
            else:
                before = 'class="chronicle-untranslated" ' + before
            return (f'<a hreflang="{_h(locale)}" data-chronicle-lang="{label}" '
                    f'{before}href="{href}{m.group("frag") or ""}"')

        return _A_HREF.sub(mark, html)

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


def _h(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def _after_title(text: str, block: str) -> str:
    m = re.search(r"^#\s[^\n]*\n", text, re.M)
    if m and not text[: m.start()].strip():
        return text[: m.end()] + "\n" + block + text[m.end():]
    return block + text


_H1 = re.compile(r"^#[ \t]+(.*?)(\s*\{[^{}\n]*\})?[ \t]*$", re.M)


def _escape_title(text: str, localized: str | None = None) -> str:
    """A card's H1 usually repeats its front-matter title: show it as text, never as markup.
    On a page shown in place of a missing translation, it is the title in the reader's language."""
    m = _H1.search(text)
    if not m or text[: m.start()].strip():
        return text
    plain = scanner.heading_plain_text(m.group(1)) if "<" not in m.group(1) else m.group(1)
    plain = localized or plain
    return text[: m.start()] + "# " + md_text(plain) + (m.group(2) or "") + text[m.end():]


def _card_meta(book: book_mod.Book, entry: book_mod.Entry, lang: str, text: str) -> str:
    """The card's front matter as a line under its title, in the reader's language."""
    import html

    fallback = book.doc_in(entry.base, lang).lang != lang
    text = _escape_title(text, entry.titles.get(lang) if fallback else None)
    card = entry.card
    items: list[tuple[str, str]] = []
    if entry.kind == "event":
        items.append((t(lang, "date"), html.escape(card.date)))
        org = pages._org(book, entry, lang)
        if org:
            items.append((t(lang, "organization"), html.escape(org)))
        if card.significance_level:
            sig = card.significance_level
            badge = f'<span class="chronicle-badge chronicle-badge--{sig}">{html.escape(t(lang, sig))}</span>'
            items.append((t(lang, "significance"), badge))
        if card.verification_status:
            items.append((t(lang, "verification"), html.escape(card.verification_status.replace("_", " "))))
    elif card.introduced:
        items.append((t(lang, "introduced"), str(card.introduced)))
    if card.tags:
        tags = "".join(f'<span class="chronicle-tag">{html.escape(x)}</span>' for x in card.tags)
        items.append((t(lang, "tags"), tags))
    if card.sources:
        cites = "; ".join(
            f'<a href="#ref-{html.escape(k)}">{html.escape(book.bib.label(k))}</a>' if k in book.bib else html.escape(k)
            for k in card.sources)
        items.append((t(lang, "sources"), cites))
    body = "".join(
        (f"<dt>{html.escape(k)}</dt>" if k else "") + f"<dd>{v}</dd>" for k, v in items
    )
    block = f'<dl class="chronicle-meta">{body}</dl>\n\n'
    text = _after_title(text, block)
    # Sources listed in the front matter belong in the page's reference list too.
    missing = [k for k in card.sources if k in book.bib and f'id="ref-{k}"' not in text]
    if missing:
        from .render import references_section

        if "{#chronicle-references}" in text:
            extra = references_section(book, missing, lang).split("<ol class=\"chronicle-references\">\n", 1)[1]
            text = text.replace("\n</ol>\n", "\n" + extra.rsplit("\n</ol>\n", 1)[0] + "\n</ol>\n", 1)
        else:
            text += references_section(book, missing, lang)
    return text
