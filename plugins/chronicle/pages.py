"""Generated pages (timeline, concept index, causal graph, translation status) and card footers.

Each function returns Markdown for one language. Links are relative repository paths,
so MkDocs and mkdocs-static-i18n localize them like any link an author writes.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from . import graphsvg, scanner
from .backlinks import Backlink
from .book import Book, Entry
from .cards import SLUG_RE
from .checks import causal_edges
from .collation import sort_key
from .graphsvg import Edge, Node
from .l10n import label, t, value
from .render import (
    Blocks,
    badge,
    card_url,
    cite_link,
    localized_org,
    md_href,
    md_text,
    rebase,
    rel_href,
    summary,
    tag_list,
)
from .safe import Markup, escape, join, tag
from .schema import ID_TYPES
from .staging import GENERATED, strip_site_prefix
from .status import Status, statuses


def site_path(book: Book, path: str, use_directory_urls: bool = True) -> str:
    """The URL path (relative to a language's root) a repository or generated file ends up at."""
    stem = strip_site_prefix(path, book.settings.docs_dir)[:-3]
    if posixpath.basename(stem) in ("index", "README"):
        folder = posixpath.dirname(stem)
        return folder + "/" if folder else ""
    return stem + "/" if use_directory_urls else stem + ".html"


def relative_url(book: Book, from_path: str, to_path: str, use_directory_urls: bool = True) -> str:
    here = site_path(book, from_path, use_directory_urls)
    there = site_path(book, to_path, use_directory_urls)
    here_dir = here if here.endswith("/") or not here else posixpath.dirname(here) + "/"
    rel = posixpath.relpath(there or ".", here_dir.rstrip("/") or ".")
    if there.endswith("/") and not rel.endswith("/"):
        rel += "/"
    return rel


def _link(book: Book, src: str, entry: Entry, lang: str) -> str:
    return f"[{md_text(entry.title(lang, book.default))}]({md_href(rel_href(src, entry.base))})"


def _badge(lang: str, sig: str | None) -> str:
    return f" {badge(lang, sig)}" if sig else ""


def _dated(book: Book) -> list[Entry]:
    """The events time can place: one whose date is broken (and reported) has no place."""
    return [e for e in book.events() if e.card.date is not None]


def timeline(book: Book, lang: str, src: str) -> str:
    events = sorted(_dated(book), key=lambda e: (e.card.sort_key(), e.id))
    years: dict[int, list[Entry]] = {}
    for e in events:
        years.setdefault(e.card.sort_key()[0], []).append(e)
    lines = [f"# {md_text(t(lang, 'timeline'))}", "", md_text(t(lang, "timeline_intro")), ""]
    if years:
        lines.append(tag("nav", join(" ", (tag("a", str(y), href=f"#y{y}") for y in years)),
                         class_="chronicle-years"))
        lines.append("")
    for year, items in years.items():
        lines += [f"## {year} {{#y{year}}}", "", '<div class="chronicle-timeline" markdown="1">', ""]
        for e in items:
            date = e.card.date
            precision = len(date.split("-"))
            extra = f" {md_text(t(lang, 'year_only'))}" if precision == 1 else ""
            org = localized_org(book, e, lang)
            org_md = f" — {md_text(org)}" if org else ""
            time = tag("time", date, class_=f"chronicle-date chronicle-date--p{precision}", datetime=date)
            lines.append(f"- {time}{extra} {_link(book, src, e, lang)}{org_md}"
                         f"{_badge(lang, e.card.significance_level)}")
        lines += ["", "</div>", ""]
    return "\n".join(lines) + "\n"


def _first_sentence(text: str) -> str:
    for stop in ("。", ". ", "！", "？", "! ", "? "):
        i = text.find(stop)
        if 0 < i < 240:
            return text[: i + len(stop)].strip()
    return text[:240]


def concept_index(book: Book, lang: str, src: str, backlinks: dict[str, list[Backlink]]) -> str:
    lines = [f"# {md_text(t(lang, 'concepts'))}", "", md_text(t(lang, "concepts_intro")), ""]
    collate = sort_key(lang)  # pinyin in Chinese
    concepts = sorted(book.concepts(), key=lambda e: (collate(e.title(lang, book.default)), e.id))
    users: dict[str, list[Entry]] = {}
    for ev in book.events():
        for cid in ev.card.technical_concepts:
            users.setdefault(cid, []).append(ev)
    for c in concepts:
        title = c.title(lang, book.default)
        other = next((c.titles[o] for o in book.settings.languages if o != lang and o in c.titles), "")
        other_md = f" {tag('span', other, class_='chronicle-alt')}" if other and other != title else ""
        # attr_list would take a '}' or '"' in the id as the start of another attribute.
        anchor = f" {{#{c.id}}}" if SLUG_RE.match(c.id) else ""
        lines += [f"## {md_text(title)}{anchor}", ""]
        lines.append(f"{_link(book, src, c, lang)}{other_md}")
        lines.append("")
        text = summary(book, c, lang)
        if text:
            lines += [rebase(book, _first_sentence(text), book.doc_in(c.base, lang).path, src), ""]
        evs = sorted(users.get(c.id, []), key=lambda e: e.card.sort_key())
        if evs:
            used = ", ".join(_link(book, src, e, lang) for e in evs)
            lines.append(f"**{md_text(t(lang, 'used_by_events'))}**: {used}")
            lines.append("")
        # A source is a default-language path; a translation whose original is not in the book
        # (missing, not UTF-8) has none in book.docs.
        chapters = sorted({b.source for b in backlinks.get(c.base, [])
                           if b.source in book.docs and book.docs[b.source].tree == "manuscript"})
        if chapters:
            lines.append(
                f"**{md_text(t(lang, 'used_by_chapters'))}**: "
                + ", ".join(f"[{md_text(book.title(p, lang))}]({md_href(rel_href(src, p))})" for p in chapters)
            )
            lines.append("")
    return "\n".join(lines) + "\n"


def _graph_nodes(book: Book, lang: str, ids: Iterable[str], href: Callable[[Entry], str | Markup]) -> list[Node]:
    nodes = []
    for ident in sorted(set(ids)):
        e = book.entries[ident]
        nodes.append(Node(ident, e.title(lang, book.default), e.card.date, tuple(e.card.sort_key()), href(e),
                          e.card.significance_level or ""))
    return nodes


def _graph_edges(lang: str, edges: Iterable[tuple[str, str, str]]) -> list[Edge]:
    return [Edge(a, b, rel, label(lang, rel)) for a, b, rel in edges]


def _legend(lang: str) -> Markup:
    return tag("p", *(tag("span", t(lang, rel), class_=f"chronicle-legend chronicle-legend--{rel}")
                      for rel in ("enables", "influences")), class_="chronicle-graph-legend")


def graph_page(book: Book, lang: str, src: str, use_directory_urls: bool = True) -> str:
    events = _dated(book)
    dated = {e.id for e in events}
    edges = [edge for edge in causal_edges(book) if edge[0] in dated and edge[1] in dated]
    here = book.docs[src].base if src in book.docs else src

    def href(e: Entry) -> str:
        return md_href(relative_url(book, here, e.base, use_directory_urls))

    title = t(lang, "graph")
    lines = [f"# {md_text(title)}", "", md_text(t(lang, "graph_intro")), ""]
    years = sorted({e.card.sort_key()[0] for e in events})
    if len(years) > 1:
        lines += [str(tag("nav", join(" ", (tag("a", str(y), href=f"#chronicle-graph-y{y}") for y in years)),
                          class_="chronicle-years")), ""]
    if events:
        # Raw HTML on lines of its own, without a blank line: Markdown passes it through as it is.
        drawing = graphsvg.svg(_graph_nodes(book, lang, (e.id for e in events), href), _graph_edges(lang, edges),
                               ident="chronicle-graph", label=title)
        lines += [str(_legend(lang)), "", str(drawing).replace("\n", " "), ""]
    # The same graph as a list: for screen readers, for search engines, and to copy from.
    for a, b, rel in edges:
        ea, eb = book.entries[a], book.entries[b]
        lines.append(f"- {_link(book, src, ea, lang)} → *{md_text(label(lang, rel))}* → {_link(book, src, eb, lang)}")
    return "\n".join(lines) + "\n"


def status_page(book: Book, lang: str, src: str, items: list[Status]) -> str:
    langs = book.settings.other_languages
    lines = [f"# {md_text(t(lang, 'status'))}", "", md_text(t(lang, "status_intro")), ""]
    lines.append("| " + md_text(t(lang, "page")) + " | " + " | ".join(langs) + " |")
    lines.append("|---|" + "---|" * len(langs))
    by_base: dict[str, dict[str, Status]] = {}
    for s in items:
        by_base.setdefault(s.base, {})[s.lang] = s
    for base in sorted(by_base):
        cells = []
        for other in langs:
            s = by_base[base].get(other)
            state = s.state if s else "translated"
            cells.append(str(tag("span", t(lang, state), class_=f"chronicle-status chronicle-status--{state}")))
        link = f"[{md_text(book.title(base, lang))}]({md_href(rel_href(src, base))})"
        # Not a code span: a '`' in a file name would end it, and what follows be Markdown.
        lines.append(f"| {link} <code>{md_text(base)}</code> | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


@dataclass
class Context:
    """What generated pages draw from besides the book."""

    backlinks: dict[str, list[Backlink]]
    use_directory_urls: bool = True
    _statuses: list[Status] | None = None

    def statuses(self, book: Book) -> list[Status]:
        if self._statuses is None:  # only the status page needs them, and they cost a git call
            self._statuses = statuses(book)
        return self._statuses


@dataclass(frozen=True)
class GeneratedPage:
    """A page the plugin writes, in every language. Its NAME is also the plugin option that
    configures it (config.py: a GeneratedPageConfig of that name)."""

    name: str
    path: str  # default path, relative to the site root
    render: Callable[[Book, str, str, Context], str]  # (book, lang, staging path, context) -> Markdown
    hide_toc: bool = False
    # Its Markdown follows from the cards (their files whole), each page's title and front
    # matter, the backlinks and the book's files alone: while those are as they were, the
    # last rendering is reused (see generated_pages' MEMO).
    of_cards: bool = False


GENERATED_PAGES: dict[str, GeneratedPage] = {}


def register(page: GeneratedPage) -> GeneratedPage:
    if page.name in GENERATED_PAGES:
        raise ValueError(f"a generated page named {page.name!r} is registered already")
    GENERATED_PAGES[page.name] = page
    return page


register(GeneratedPage("timeline", "timeline.md", lambda book, lang, src, ctx: timeline(book, lang, src),
                       of_cards=True))
register(GeneratedPage("concepts", "concepts.md",
                       lambda book, lang, src, ctx: concept_index(book, lang, src, ctx.backlinks), of_cards=True))
# The graph needs the width of the page more than an outline of it.
register(GeneratedPage("graph", "graph.md",
                       lambda book, lang, src, ctx: graph_page(book, lang, src, ctx.use_directory_urls),
                       hide_toc=True, of_cards=True))
register(GeneratedPage("status", "translations.md",
                       lambda book, lang, src, ctx: status_page(book, lang, src, ctx.statuses(book))))


def generated_paths(options: Any, book: Book | None = None) -> dict[str, str]:
    """Name -> path (relative to the site root) of each enabled generated page. A BOOK without a
    single card (a documentation site that added the plugin for its links) gets no views of
    the cards: a timeline, a graph and an index with nothing in them."""
    out = {}
    cardless = book is not None and not any(e.kind != "page" for e in book.entries.values())
    for name, page in GENERATED_PAGES.items():
        try:
            option = options[name]
        except KeyError:
            raise LookupError(f"the generated page {name!r} has no option of that name in config.py") from None
        if option.enabled and not (cardless and page.of_cards):
            out[name] = (option.path or page.path).strip("/")
    return out


def generated_pages(book: Book, options: Any, backlinks: dict[str, list[Backlink]],
                    use_directory_urls: bool = True, memo: dict[str, tuple[str, str]] | None = None
                    ) -> dict[str, str]:
    """Every generated page in every language: staging-relative path -> Markdown. MEMO keeps
    the pages `of_cards` for the next book (while serving: the graph alone takes a fifth of a
    second on a book of 300 chapters), each under a digest of what it follows from."""
    context = Context(backlinks, use_directory_urls)
    out: dict[str, str] = {}
    key = _inputs_digest(book, backlinks, use_directory_urls) if memo is not None else ""
    for name, path in generated_paths(options, book).items():
        page = GENERATED_PAGES[name]
        for lang in book.settings.languages:
            rel = path if lang == book.default else f"{path[:-3]}.{lang}.md"
            known = memo.get(rel) if memo is not None and page.of_cards else None
            if known is not None and known[0] == key:
                text = known[1]
            else:
                text = page.render(book, lang, f"{GENERATED}/{rel}", context)
                if memo is not None and page.of_cards:
                    memo[rel] = (key, text)
            title = options[name].title.get(lang)
            if title:
                text = "# " + md_text(str(title)) + text[text.index("\n"):]
            # Views of the cards (one section per year or concept, a row per relation): in search
            # they would only repeat, next to each card, what the card's own page says; the
            # status page is for authors. (They also made the index 6% larger, and
            # mkdocs-static-i18n's deduplication of it takes time in the square of its size.)
            hide = "hide:\n  - toc\n" if page.hide_toc else ""
            out[rel] = f"---\nsearch:\n  exclude: true\n{hide}---\n\n" + text
    return out


def _inputs_digest(book: Book, backlinks: dict[str, list[Backlink]], use_directory_urls: bool) -> str:
    """A digest of what the pages `of_cards` follow from: the files, the backlinks, and the
    settings they are drawn with (languages, folders, the card schema's labels and relations).
    A page's path is the memo's key; its title is set after the memo."""
    h = hashlib.sha256()
    for path, doc in book.docs.items():
        what = doc.fingerprint if doc.tree != "manuscript" else (doc.heading_title, doc.fm.data)
        h.update(repr((path, what)).encode("utf-8", "surrogatepass"))
    settings = book.settings
    h.update(repr((sorted(book.files), sorted(backlinks.items()), use_directory_urls,
                   settings.languages, book.default, settings.docs_dir, settings.knowledge_dirs,
                   settings.schema.digest())).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def card_footer(book: Book, entry: Entry, lang: str, src: str, backlinks: dict[str, list[Backlink]],
                blocks: Blocks, with_graph: bool, with_backlinks: bool, use_directory_urls: bool = True) -> str:
    """Neighbourhood graph and backlinks appended to a card page (kept out of search: they
    repeat other pages' titles)."""
    parts: list[str] = []
    if with_graph and entry.kind == "event" and entry.card.date is not None:
        dated = {e.id for e in _dated(book)}
        edges = [e for e in causal_edges(book) if entry.id in (e[0], e[1]) and e[0] in dated and e[1] in dated]
        if edges:
            nodes = {entry.id} | {e[0] for e in edges} | {e[1] for e in edges}
            title = t(lang, "neighbourhood")
            drawing = graphsvg.svg(_graph_nodes(book, lang, nodes, lambda e: card_url(e.base)),
                                   _graph_edges(lang, edges), ident="chronicle-neighbourhood", label=title,
                                   focus=entry.id)
            parts += [blocks.heading(2, "chronicle-graph", title),
                      blocks.add(tag("div", _legend(lang), drawing, data_search_exclude="true"))]
    if with_backlinks:
        parts.append(blocks.heading(2, "chronicle-backlinks", t(lang, "backlinks")))
        refs = backlinks.get(entry.base, [])
        items: list[str] = []
        seen: set[str] = set()
        for b in refs:
            if b.source in seen:
                continue
            seen.add(b.source)
            kinds = {x.kind for x in refs if x.source == b.source}
            owner = book.by_base.get(b.source)
            kind = t(lang, owner.kind) if owner and owner.kind != "page" else t(lang, "page")
            mark = " ⧉" if "embed" in kinds else ""
            items.append(tag("li", tag("span", kind, class_="chronicle-kind"), " ",
                             tag("a", book.title(b.source, lang), href=card_url(b.source)), mark))
        if items:
            parts.append(blocks.add(tag("ul", join("", items), class_="chronicle-backlinks",
                                        data_search_exclude="true")))
        else:
            parts.append(blocks.add(tag("p", t(lang, "no_backlinks"), data_search_exclude="true")))
    return ("\n\n" + "\n".join(parts) + "\n") if parts else ""


def in_original_language(text: str, original: str, blocks: Blocks, title_translated: bool) -> str:
    """TEXT, a page shown in place of its missing translation, with the original's content
    declared in ORIGINAL's language (the page's <html lang> is the reader's): browsers pick
    fonts and hyphenation by it, screen readers their voice. The notice and the card's panel,
    put in after the title, are in the reader's language and stay outside; so does the title
    when it is TITLE_TRANSLATED."""
    opening = blocks.add(Markup(f'<div lang="{escape(original)}">'), late=False)
    closing = blocks.add(Markup("</div>"), late=False)
    m = _H1.search(text)
    if not m or text[: m.start()].strip():
        return opening + text + closing
    head = text[: m.end()]
    if not title_translated:
        attrs = (m.group(2) or "").strip()
        lang_attr = f'lang="{original}"' if SLUG_RE.match(original) else ""
        if lang_attr and attrs[1:2] in ("#", ".", ":"):
            # attr_list's own braces: one more attribute in them.
            head = text[: m.start(2)] + " " + attrs[:-1].rstrip() + f" {lang_attr}}}" + text[m.end(2):m.end()]
        elif lang_attr:
            head = text[: m.end()].rstrip() + f" {{: {lang_attr} }}"
    return head + "\n" + opening + text[m.end():] + closing


def fallback_notice(lang: str, language_name: str) -> Markup:
    """The notice on a page shown in place of a missing translation."""
    return tag("div", tag("p", t(lang, "untranslated_title"), class_="admonition-title"),
               tag("p", t(lang, "untranslated_body", language=language_name)),
               class_="admonition info chronicle-fallback", data_search_exclude="true")


def after_title(text: str, block: str) -> str:
    """Insert BLOCK right after the page's leading H1 (or at the top)."""
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


def card_header(book: Book, entry: Entry, lang: str, text: str, blocks: Blocks) -> str:
    """The card's front matter as a panel under its title, in the reader's language."""
    fallback = book.doc_in(entry.base, lang).lang != lang
    text = _escape_title(text, entry.titles.get(lang) if fallback else None)
    card = entry.card
    items: list[tuple[str, str | Markup]] = []
    if entry.kind == "event":
        if card.date is not None:
            items.append((t(lang, "date"), card.date))
        org = localized_org(book, entry, lang)
        if org:
            items.append((t(lang, "organization"), org))
        if card.event_type:
            items.append((t(lang, "event_type"), value(lang, "event_type", card.event_type)))
        if card.significance_level:
            items.append((t(lang, "significance"), badge(lang, card.significance_level)))
        if card.verification_status:
            items.append((t(lang, "verification"), value(lang, "verification_status", card.verification_status)))
    elif card.introduced:
        items.append((t(lang, "introduced"), str(card.introduced)))
    items += extra_fields(book, entry, lang)
    if card.tags:
        items.append((t(lang, "tags"), tag_list(card.tags)))
    if card.sources:
        items.append((t(lang, "sources"),
                      join("; ", (cite_link(book, k) if k in book.bib else k for k in card.sources))))
    body = join("", (tag("dt", k) + tag("dd", v) for k, v in items))
    return after_title(text, blocks.add(tag("dl", body, class_="chronicle-meta", data_search_exclude="true")))


def extra_fields(book: Book, entry: Entry, lang: str) -> list[tuple[str, str | Markup]]:
    """The fields the book declared for this kind of card, as (label, value) for its panel:
    ids as links to what they name, URLs as links, enum values in the reader's language."""
    card = entry.card
    out: list[tuple[str, str | Markup]] = []
    for name in card.spec.extra:
        spec = card.spec.fields[name]
        value = card.fields.get(name)
        if value is None or value == []:
            continue
        shown: str | Markup
        if spec.type in ID_TYPES:
            links = []
            for ident in value:
                target = book.entries.get(ident)
                links.append(tag("a", target.title(lang, book.default), href=card_url(target.base))
                             if target is not None else ident)
            shown = join(", ", links)
        elif spec.type == "url":
            shown = tag("a", value, href=value)
        elif spec.type == "strings":
            shown = ", ".join(value)
        elif spec.type == "enum":
            shown = label(lang, value)
        elif spec.type == "boolean":
            shown = t(lang, "yes") if value else t(lang, "no")
        else:
            shown = str(value)
        out.append((spec.label(lang) or label(lang, name), shown))
    return out
