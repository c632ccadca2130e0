"""The `chronicle` MkDocs plugin: a thin front end over the core modules."""

from __future__ import annotations

import inspect
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import TemplateError
from mkdocs.commands.build import build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink
from mkdocs.utils import get_relative_url

from . import (
    confine,
    frontmatter,
    i18n,
    incremental,
    l10n,
    layouts,
    loading,
    marks,
    navigation,
    pages,
    sitedir,
    staging,
    theme,
)
from . import search as search_mod
from .backlinks import References, backlinks
from .bilingual import localize_heading
from .book import Book
from .checks import check
from .config import ChronicleConfig
from .l10n import t
from .problems import Problem
from .render import (
    Blocks,
    drop_unsafe_urls,
    escape_meta,
    mark_untranslated,
    render_markdown,
    title_html,
    too_complex,
    too_complex_notice,
    unrename,
)
from .settings import ConfigError, default_slugify, make_settings, set_layout

log = get_plugin_logger(__name__)

_CSS = Path(__file__).parent / "assets" / "chronicle.css"
_THEME = Path(__file__).parent / "assets" / "theme"  # overrides of Material's templates
# Material's default (mkdocs_theme.yml): Roboto from Google Fonts.
_MATERIAL_FONT = {"text": "Roboto", "code": "Roboto Mono"}
_TRANSLATION_CODES = {"missing-translation", "untranslated-target", "stale-translation"}


class ChroniclePlugin(BasePlugin[ChronicleConfig]):
    """Joins `manuscript/` and `knowledge/` into one bilingual site and resolves references.

    Events, in the order MkDocs calls them (mkdocs-static-i18n then calls them all again
    for every other language, on the same config object):

    - `on_startup`: remember the command; only `mkdocs build` builds beside the site folder.
    - `on_config` (priority 100): stage the two trees as one docs_dir, read the book,
      run the checks once and log them, write the generated pages, write the book's words
      for Material's search (see search.py: before its own on_config, priority 0), and point
      site_dir at a fresh folder beside the site (see sitedir.py). Runs before mkdocs-static-i18n (-100),
      which must see the staged docs_dir and the site_dir it writes every language into.
    - `on_files` (priority 100): drop every file the book did not admit (a symlink that leads
      outside the project, a cycle), put chapters at the site root. Before static-i18n (-100),
      which derives each language's destination from ours.
    - `on_page_markdown`: id links, embeds, citations, the fallback notice, card footers.
    - `on_page_content`: put in the HTML that Markdown should not see (Blocks).
    - `on_page_context` (-50, after search has indexed the page): put in the HTML search
      should not see; mark links that lead to a page not in the reader's language.
    - `on_post_build` (-200, after static-i18n's, -100): in the last language's pass, drop the
      search index's duplicates in linear time and have static-i18n skip its quadratic pass
      (i18n.py); at the end of the first pass, give the option back.
    - `on_post_page`: point a page of another language's folder at that folder's search index.
    - `on_post_build` (-200, after Material's search and static-i18n): one search index per language.
    - `on_post_page`, `on_post_template` (404.html): drop the <link rel="alternate"> tags
      for which Material's script asks for a sitemap.xml that is not there (theme.py).
    - `on_build_error`, `on_shutdown`: the build folder replaces the site only if the build,
      every language and the strict check included, ended without an error.
    """

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.book: Book | None = None
        self.staged: Path | None = None
        self.backlinks: dict[str, list[Any]] = {}
        self._urls: tuple[int, dict[str, File]] = (0, {})
        self._blocks: dict[str, Blocks] = {}  # page -> HTML to put in after Markdown
        self._files: Files | None = None
        self._theme_env: tuple[Any, Any] | None = None  # the theme and its templates, to look names up
        self._reported: set[tuple[str, str]] = set()  # (page, field) warned about, once for all languages
        self._problems: dict[str, list[Problem]] = {}  # file -> its problems, to show on its page
        self._command: str | None = None
        self._dirty = False
        self._site: Path | None = None  # the site folder a `mkdocs build` replaces at its end
        self._building: Path | None = None  # the folder it builds into meanwhile
        self._failed = False
        self._built = False  # the outermost build (every language) reached its end
        self._auto_nav = False  # mkdocs.yml has no nav: each language's is made from the folders
        self._search_dedup: MkDocsConfig | None = None  # the search index's de-duplication is ours
        self._search: dict[str, list[str]] | None = None  # with Material's search: the book's terms' parts
        self._search_split = False  # one search index per language (see search.py)
        self._search_memo = search_mod.PartsMemo()  # the terms' parts of each text, from the last splits
        self._mermaid = False  # an author's diagram is on some page: Mermaid is served with the site
        self._fallbacks: set[str] = set()  # URLs of pages shown in the default language elsewhere
        self._bilingual_urls: set[str] = set()  # URLs of bilingual pages in the other languages' folders
        self._serving = False  # `mkdocs serve` without --dirty: rebuilds after a save are ours
        self._tracker: incremental.Tracker | None = None  # while serving incrementally
        self._rebuilding = False  # in one of our dirty rebuilds (see on_serve)
        self._templates = theme.TemplateCache()  # for every build and language this plugin runs
        # While serving, from one rebuild to the next: each file's references, the generated pages.
        self._references = References()
        self._generated: dict[str, tuple[str, str]] = {}

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self._command, self._dirty = command, dirty
        self._serving = command == "serve" and not dirty
        if self._serving and self.config.incremental_serve:
            self._tracker = incremental.Tracker()  # records the first build, for the next one

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
            set_layout(settings, i18n.docs_structure(config), Path(config.config_file_path or "mkdocs.yml").name)
        except ConfigError as exc:
            raise PluginError(str(exc)) from None
        site_dir = Path(config.site_dir)
        try:
            confine.check_output_folder(root, site_dir, [*settings.trees,
                                                         *settings.bibliographies], inside_project=False)
        except ValueError as exc:
            raise PluginError(f"mkdocs.yml: site_dir: {exc}; MkDocs deletes everything in it before "
                              "each build, so it must be a folder of its own (default 'site')") from None
        snippets = confine.snippets_problem(root, config.mdx_configs.get("pymdownx.snippets"))
        if snippets:
            raise PluginError(f"mkdocs.yml: markdown_extensions.pymdownx.snippets: {snippets}")
        self.book = loading.load(settings)
        self._problems = {}
        if self.book.bilingual and not i18n.fallback_to_default(config):
            # static-i18n then builds a page only in the languages it has a file of.
            first = min(self.book.bilingual)
            log.warning("%s and %d other bilingual page(s) are not published under the other languages: "
                        "mkdocs.yml sets plugins.i18n.fallback_to_default: false (set it to true, or split "
                        "them with 'chronicle split')", first, len(self.book.bilingual) - 1)
        if self.config.check:
            home = navigation.home_problem(self.book)
            problems = check(self.book) + ([home] if home is not None else [])
            self._report([layouts.real_problem(p, settings.layout) for p in problems])  # as the repository has them
            if not config.strict:  # shown on the pages (marks.py); a strict build fails instead
                for p in problems:
                    if p.severity == "error":  # what is broken; warnings stay in the log
                        self._problems.setdefault(p.file, []).append(p)
        if config.strict and i18n.builds_per_language(config):
            # static-i18n builds each other language with a build() of its own, nested in this
            # one: a strict one would count only its own language's warnings and abort with that
            # count ("1 warnings" when there were hundreds). Not strict, they abort nothing, and
            # this build's counter, which sees every language's warnings on the 'mkdocs' logger,
            # fails the build at its end with the true count. (MkDocs reads `strict` nowhere else.)
            config.strict = False
        self._plan_rebuild(root, settings, config)
        if self._tracker is not None and self._tracker.plan is None:
            # A full rebuild (mkdocs.yml, a bibliography or the files changed): nothing carried over.
            self._references, self._generated = References(), {}
        serving = self._tracker is not None
        self.backlinks = backlinks(self.book, self._references if serving else None)
        try:
            layout = settings.layout
            mapped = [t for t in settings.trees if layout.maps(t)]
            self.staged = staging.prepare(root, settings.staging_dir,
                                          [t for t in settings.trees if t not in mapped], self.book.refused)
            if mapped:  # the book's own paths (layouts.py), as symlinks to the repository's files
                layouts.stage(root, self.staged, {p: layout.real(p) for p in self.book.files}, mapped)
                i18n.read_as_suffix(config)
            generated = pages.generated_pages(self.book, self.config, self.backlinks, config.use_directory_urls,
                                              self._generated if serving else None)
            staging.write_generated(self.staged, generated)
            staging.write_generated(self.staged, {"assets/chronicle.css": _CSS.read_text(encoding="utf-8"),
                                                  "assets/chronicle.js": theme.script(langs)}, prune=False)
            self._mermaid = _stage_mermaid(self.book, self.staged, config)
        except (OSError, staging.StagingError) as exc:
            raise PluginError(f"chronicle: cannot prepare {self.config.staging_dir}: {exc}") from None
        config.docs_dir = str(self.staged)
        self._auto_nav = not config.nav
        self._configure_search(root, config)
        if config.nav:
            generated_paths = set(pages.generated_paths(self.config, self.book).values())
            config.nav = navigation.rewrite_nav(config.nav, self.book, generated_paths)
        _ensure_extensions(config)
        _own_host_only(config, repo_stats=self.config.repo_stats)
        if "assets/chronicle.css" not in [str(x) for x in config.extra_css]:
            config.extra_css.append("assets/chronicle.css")
        if "assets/chronicle.js" not in [str(x) for x in config.extra_javascript]:
            config.extra_javascript.append("assets/chronicle.js")
        if self.config.check:
            # Our checks report these with file:line; MkDocs' own copies would only repeat
            # them without a line (and misreport percent-encoded anchors).
            config.validation.links.not_found = logging.INFO
            config.validation.links.anchors = logging.INFO
        if self._command == "build" and not self._dirty and not sitedir.is_serve_folder(site_dir):
            self._site, self._failed, self._built = site_dir, False, False
            try:
                self._building = sitedir.fresh(site_dir)
            except OSError as exc:
                raise PluginError(f"chronicle: cannot make a folder beside {site_dir} to build into: {exc}") from None
            config.site_dir = str(self._building)
        return config

    def _plan_rebuild(self, root: Path, settings: Any, config: MkDocsConfig) -> None:
        """While serving: what this build rebuilds (incremental.py). A rebuild that must be full
        starts from an empty site folder, as a clean build does."""
        if self._tracker is None or self.book is None:
            return
        watched = [Path(config.config_file_path or root / "mkdocs.yml"),
                   *(root / b for b in settings.bibliographies)]
        plan = self._tracker.start(self.book, self._problems, incremental.stamp_of(watched))
        if plan is None and self._rebuilding:
            site = Path(config.site_dir)
            for child in site.iterdir() if site.is_dir() else ():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Callable[..., None]) -> Any:
        """Rebuild after a save only what it changed (incremental.py), in dirty builds that the
        plugin drives; and watch the book's folders, not the staging folder the plugin writes."""
        if self.book is not None:
            # The staged folder of a folder book holds symlinks to the files, whose edits serve
            # would not see there: the language folders themselves are watched.
            root = self.book.settings.root
            for folder in sorted({r.real for r in self.book.settings.layout.roots}):
                if (root / folder).is_dir():
                    server.watch(str(root / folder))
        # serve's own builder reloads mkdocs.yml with the command line's options (get_config).
        get_config = inspect.getclosurevars(builder).nonlocals.get("get_config")
        if (self._tracker is None or self.book is None or self.staged is None or not callable(get_config)
                or (search_mod.material_search(config.plugins) is not None
                    and not i18n.builds_per_language(config))):
            # (Material's index of a single-language site is not ours to complete.)
            self._tracker = None
            return server
        root = self.book.settings.root
        try:
            server.unwatch(str(self.staged))
        except KeyError:
            pass
        for rel in [*self.book.settings.trees, *self.book.settings.bibliographies]:
            if (root / rel).exists():
                server.watch(str(root / rel))
        serve_url = config.site_url

        def rebuild() -> None:
            log.info("Building documentation (only what changed)...")
            new = get_config()
            new.site_url = serve_url
            self._rebuilding = True
            quiet = _Quiet("A 'dirty' build is being performed")
            logging.getLogger("mkdocs.commands.build").addFilter(quiet)
            try:
                with i18n.nested_builds_dirty():
                    build(new, serve_url=serve_url, dirty=True)
            finally:
                self._rebuilding = False
                logging.getLogger("mkdocs.commands.build").removeFilter(quiet)

        server.builder = rebuild
        return server

    def _configure_search(self, root: Path, config: MkDocsConfig) -> None:
        """Before Material's search reads its options (priority 0): the book's words, tag weights."""
        search = search_mod.material_search(config.plugins)
        book, staged = self.book, self.staged
        self._search, self._search_split, self._fallbacks = None, False, set()
        self._bilingual_urls = set()
        if search is None or book is None or staged is None:
            return
        if not logging.getLogger("mkdocs").isEnabledFor(logging.DEBUG):
            # jieba (imported with Material's search) prints its dictionary's loading to stderr,
            # in a format of its own, with a handler of its own: only with --verbose.
            logging.getLogger("jieba").setLevel(logging.WARNING)
        terms = search_mod.dictionary_terms(
            [title for entry in book.concepts() for title in entry.titles.values()],
            [title for entry in book.events() for title in entry.titles.values()])
        try:
            parts = search_mod.configure(search, root, staged, terms)
            self._search, self._search_memo = parts, self._search_memo.of(parts)
        except (OSError, confine.Outside) as exc:
            raise PluginError(f"chronicle: cannot write the search dictionary into {staged}: {exc}") from None
        self._search_split = self.config.search_by_language and len(book.settings.languages) > 1

    def on_build_error(self, *, error: Exception) -> None:
        self._failed = True
        if self._tracker is not None:
            self._tracker.forget()  # the site is half of one book, half of another: rebuild it all
        if self._search_dedup is not None:
            i18n.give_back_search_dedup(self._search_dedup)
            self._search_dedup = None

    @event_priority(-200)  # after mkdocs-static-i18n (-100): it gathers each language's search
    # entries there, and builds every other language there in the first pass
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        tracker = self._tracker
        fallbacks = self._fallbacks
        if tracker is not None:
            entries = i18n.last_pass_search_entries(config)
            if entries is not None:  # before the de-duplication, which compares languages
                tracker.merge_search(entries)
            if tracker.plan is not None:
                fallbacks = fallbacks | {u for u in tracker.fallbacks
                                         if incremental.page_key(u) not in tracker.built}
            if not i18n.is_nested_pass(config):
                tracker.fallbacks = set(fallbacks)
        if i18n.take_over_search_dedup(config, self._bilingual_urls):  # the last language's pass
            self._search_dedup = config
        elif self._search_dedup is not None and not i18n.is_nested_pass(config):  # the first pass, at its end
            i18n.give_back_search_dedup(config)
            self._search_dedup = None
        if self._search is not None and self.book is not None:
            # After Material (0) wrote this language's index and, in the outermost build,
            # static-i18n (-100) the merged one: each split again, the last split is whole.
            others = self.book.settings.other_languages if self._search_split else []
            search_mod.write_indexes(Path(config.site_dir), self.book.default, others, fallbacks,
                                     self._search, self._search_memo)
        if config.theme.name == "material":
            search_mod.fix_segmenter(Path(config.site_dir))
        if self._building is not None and config.site_dir == str(self._building):
            self._built = True

    def on_shutdown(self) -> None:
        building, self._building = self._building, None
        if building is None or self._site is None:
            return
        if self._failed or not self._built:
            sitedir.discard(building)
            log.info("The site in %s is left as it was: the build failed", self._site)
            return
        try:
            sitedir.commit(building, self._site)
        except OSError as exc:
            log.error("chronicle: the new site is in %s; it could not replace %s: %s", building, self._site, exc)

    def _report(self, problems: list[Problem]) -> None:
        translation = [p for p in problems if p.code in _TRANSLATION_CODES]
        for p in problems:
            if p.code not in _TRANSLATION_CODES:
                # A rule the book set to info is for the log only: --strict does not fail on it.
                (log.info if p.severity == "info" else log.warning)(p.text())
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
        if self.book is None or self.staged is None:
            return files
        docs_dir = self.book.settings.docs_dir
        admitted, staged = self.book.files, str(self.staged)
        listed: list[str] = []
        for file in list(files):
            if file.src_dir != staged:
                continue
            generated = file.src_uri.startswith(staging.GENERATED + "/")
            if not generated and (file.src_uri not in admitted or navigation.is_private(file.src_uri)):
                # MkDocs follows every symlink; the book admitted only what stays inside the
                # project (and reported the rest): nothing else is published. Nor are the
                # authors' templates and private files.
                files.remove(file)
                continue
            file.dest_uri = staging.strip_site_prefix(file.dest_uri, docs_dir)
            if file.is_documentation_page() and file.inclusion.is_in_nav() and not generated:
                listed.append(file.src_uri)
        if self._auto_nav:
            # Here, once per language: MkDocs makes the nav from config.nav right after on_files.
            config.nav = navigation.auto_nav(
                self.book, listed, i18n.current_language(config),
                {name: f"{staging.GENERATED}/{path}"
                 for name, path in pages.generated_paths(self.config, self.book).items()},
                fallback=i18n.fallback_to_default(config))
        return files

    @event_priority(-200)  # after mkdocs-static-i18n (-100), which gives each language's pages their URLs
    def on_nav(self, nav: Any, *, config: MkDocsConfig, files: Files) -> Any:
        tracker = self._tracker
        if tracker is not None and tracker.plan is not None:
            docs = files.documentation_pages()
            stale = 0
            for i, file in enumerate(docs):
                # A dirty build rebuilds a page whose output is older than its source. The last
                # page always: static-i18n gives 404.html the language links of the last page built.
                if (i == len(docs) - 1 or tracker.plan.stale(file.src_uri, file.url)) \
                        and os.path.isfile(file.abs_dest_path):
                    os.utime(file.abs_dest_path, (0, 0))
                    stale += 1
            log.info("Rebuilding %d of %d pages in '%s'", stale, len(docs), i18n.current_language(config))
        return nav

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        if env.bytecode_cache is None:
            env.bytecode_cache = self._templates
        tracker = self._tracker
        if tracker is not None and tracker.plan is not None:
            # The pages a dirty build did not read have no title: the nav and the previous and
            # next links of those it rebuilds show them with the last build's.
            for file in files.documentation_pages():
                page = file.page
                known = tracker.meta.get(incremental.page_key(file.url))
                if page is not None and page.markdown is None and known is not None:
                    page.title, page.meta = known[0], dict(known[1])
        return env

    def on_page_read_source(self, page: Page, config: MkDocsConfig) -> str | None:
        # MkDocs reads every page itself and parses its front matter before any other page
        # event: a file that is not UTF-8 would stop the build with a traceback there, and
        # a front matter our reader refused (an alias bomb, nesting that crashes libyaml)
        # is not for it to parse. The checks have reported both.
        return loading.source_for_mkdocs(self.book, page.file.src_uri) if self.book is not None else None

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        for name, _expected in frontmatter.theme_field_errors(page.meta):
            # Reported (frontmatter-field); MkDocs and the theme would stop on it. Without its
            # title, a page's heading is its title.
            del page.meta[name]
        self._check_theme_names(page, config)
        book = self.book
        if book is None:
            return markdown
        lang = i18n.current_language(config)
        src = page.file.src_uri
        blocks = self._blocks[src] = Blocks()
        doc = book.docs.get(src)
        markdown = unrename(book, markdown, src)
        if page.edit_url and config.edit_uri and not config.edit_uri_template and src in book.files:
            # MkDocs made it from the staged path; the author edits the repository's file.
            settings = book.settings
            page.edit_url = layouts.edit_url(config.repo_url, config.edit_uri, settings.docs_dir,
                                             settings.layout.real(src))
        if doc is not None and too_complex(doc):
            # Reported (page-too-complex) with the other problems; Python-Markdown would hang
            # or crash on it.
            return too_complex_notice(src)
        entry = book.by_base.get(doc.base) if doc is not None else None
        card = entry.card if entry is not None else None
        problems = self._problems.get(doc.path, []) if doc is not None else []
        if problems:  # first: the marks are placed by the lines of the file
            markdown = marks.insert_marks(markdown, doc.text, problems, blocks)
        # Shown in place of a missing translation (a bilingual page is its own translation).
        fallback = doc is not None and doc.lang != lang and not book.holds(doc.base, lang)
        if doc is not None and doc.base in book.bilingual and book.holds(doc.base, lang):
            markdown = self._localize_title(page, markdown, doc.base, lang)
        if fallback:
            # A card's title in the reader's language replaces the original's (card_header).
            translated = entry is not None and card is not None and lang in entry.titles
            markdown = pages.in_original_language(markdown, doc.lang, blocks, translated)
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
        if fallback and self.config.fallback_notice:
            notice = pages.fallback_notice(lang, self._language_name(config, lang, doc.lang))
            text = pages.after_title(text, blocks.add(notice))
        if problems:
            text = pages.after_title(text, blocks.add(marks.panel(lang, problems)))
        return text

    def _localize_title(self, page: Page, markdown: str, base: str, lang: str) -> str:
        """A bilingual page in LANG: its title in LANG (nav, header, <title>) and its
        `# 中文标题 (English Title)` heading in LANG alone."""
        book = self.book
        assert book is not None
        s = book.settings
        page.meta["title"] = book.title(base, lang)
        return localize_heading(markdown, lang, s.languages, s.slugify or default_slugify)

    def _check_theme_names(self, page: Page, config: MkDocsConfig) -> None:
        """A `template` or `icon` the theme does not have stops the build with a traceback when
        the page is written: report it (only the build knows the theme) and drop it."""
        for name, pattern in (("template", "{}"), ("icon", ".icons/{}.svg")):
            value = page.meta.get(name)
            if not isinstance(value, str):
                continue
            if self._theme_env is None or self._theme_env[0] is not config.theme:
                self._theme_env = (config.theme, config.theme.get_env())
            try:
                self._theme_env[1].get_template(pattern.format(value))
            except TemplateError:
                del page.meta[name]
                src = page.file.src_uri
                doc = self.book.docs.get(src) if self.book is not None else None
                if (src, name) not in self._reported:
                    self._reported.add((src, name))
                    line = doc.fm.line_of(name) if doc is not None else 1
                    log.warning(Problem(src, line, 1, "error", "frontmatter-field",
                                        f"field '{name}': the theme has no {name} '{value}'", value,
                                        f"name one the theme or its custom_dir has, or delete the {name}").text())

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        book = self.book
        title = title_html(page.title, page.meta, html)  # themes print it raw (nav, header, <title>)
        escape_meta(page.meta)  # what the theme and search print of the front matter, unescaped
        if title is not None:
            page.title = title
            if not page.is_homepage:
                # Material's <title> is otherwise `page.title | striptags`, which unescapes it.
                page.meta["title"] = title
        self._files = files
        html = drop_unsafe_urls(html)
        html = l10n.localize_permalinks(html, i18n.current_language(config), config.mdx_configs.get("toc", {}))
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
        lang = i18n.current_language(config)
        locale = i18n.file_locale(page.file, book.default)
        if lang != book.default and locale != lang:
            if book.holds(page.file.src_uri, lang):  # a bilingual page: this language's own
                self._bilingual_urls.add(page.url)
            else:
                self._fallbacks.add(page.url)
        if self._tracker is not None:
            self._tracker.remember(incremental.page_key(page.url), page.title, page.meta)

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        lang = i18n.current_language(config)
        if self._search_split and self.book is not None and lang != self.book.default \
                and page.url.startswith(lang + "/"):
            # This language's search index is in its own folder (see on_post_build).
            output = search_mod.localize_base(output, lang)
        if config.theme.name == "material" and i18n.active(config):
            output = theme.drop_alternate_links(output)
        if self._mermaid:
            output = theme.serve_mermaid(output, get_relative_url(theme.MERMAID_URL, page.url))
        if self._tracker is not None:
            self._tracker.record(incremental.page_key(page.url), page.file.src_uri, output, page.url)
        return output

    def on_post_template(self, output_content: str, *, template_name: str, config: MkDocsConfig) -> str:
        # 404.html: a theme template, not a page, with the alternates of the last page built.
        if config.theme.name == "material" and i18n.active(config):
            return theme.drop_alternate_links(output_content)
        return output_content

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
            if file is None:
                return None
            return lang if book.holds(file.src_uri, lang) else i18n.file_locale(file, book.default)

        def label(locale: str) -> str:
            return t(lang, "untranslated_link", language=self._language_name(config, lang, locale))

        return mark_untranslated(html, page.url, lang, locale_of, label)

    @staticmethod
    def _language_name(config: MkDocsConfig, reader: str, lang: str) -> str:
        return l10n.language_name(reader, lang, i18n.language_name(config, lang))

    def _url_map(self, files: Files) -> dict[str, File]:
        if self._urls[0] != id(files):
            self._urls = (id(files), {f.url.rstrip("/") + ("/" if f.url.endswith("/") else ""): f
                                      for f in files.documentation_pages()})
        return self._urls[1]


class _Quiet(logging.Filter):
    """Drops one message: MkDocs' warning about dirty builds, whose pages the plugin chose."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.prefix)


def _ensure_extensions(config: MkDocsConfig) -> None:
    """What our Markdown needs: attr_list, md_in_html; and a Mermaid fence for the author's own
    diagrams (ours are SVG: see graphsvg.py), which Material draws with Mermaid from unpkg.com."""
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


def _stage_mermaid(book: Book, staged: Path, config: MkDocsConfig) -> bool:
    """Stage Mermaid beside the pages if one of them draws a diagram with it (Material's theme
    only), so that it is served by the site and not from unpkg.com; else make sure no copy
    left by an earlier build is published."""
    wanted = config.theme.name == "material" and any(theme.has_mermaid_fence(d.text) for d in book.docs.values())
    if wanted:
        staging.write_generated(staged, {theme.MERMAID_URL: theme.MERMAID.read_text(encoding="utf-8")}, prune=False)
    else:
        (staged / staging.GENERATED / theme.MERMAID_URL).unlink(missing_ok=True)
    return wanted


def _own_host_only(config: MkDocsConfig, repo_stats: bool) -> None:
    """Keep Material from loading anything from another host: its default font from Google
    Fonts (the system's fonts are used instead: see chronicle.css), and the repository's facts
    from the GitHub API unless REPO_STATS. A font the author named is the author's choice."""
    theme = config.theme
    if theme.name != "material":
        return
    if theme["font"] == _MATERIAL_FONT:
        theme["font"] = False
    if not repo_stats and str(_THEME) not in theme.dirs:
        # After the author's custom_dir, whose own partials/source.html still wins.
        theme.dirs.insert(1 if theme.custom_dir else 0, str(_THEME))


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
