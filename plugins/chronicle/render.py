"""Markdown in, Markdown out: id links, embeds and citations for one page in one language.

References become ordinary relative Markdown links to the target's default-language
file, so MkDocs and mkdocs-static-i18n send each reader to their own language, exactly
as they do for links the author wrote. What cannot be resolved is left as the author
wrote it (the checks have reported it once, with its line).
"""

from __future__ import annotations

import functools
import html
import posixpath
import re
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote

from . import scanner
from .book import Book, Doc, Entry
from .l10n import t, value
from .layouts import unsuffixed
from .resolve import join_path, resolve_link
from .safe import Markup, escape, is_safe_url, join, tag

_LINE_BREAKS = re.compile(r"[\r\n]+")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>!#|{}])")
_SUMMARY_SKIP = re.compile(r"^\s*(?:#|!!!|\?\?\?|\||<|>|!\[\[|---|\*\*\*|\{|```|~~~|=== )")


def md_text(text: str) -> str:
    """Text that Markdown will show as written, never as markup or HTML: on one line, since
    what follows a line break could start a block ('===', '    ', '- ')."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(_LINE_BREAKS.sub(" ", text), quote=False))


# What may not stand in a Markdown link's destination as it is, or would end the attribute
# the destination becomes: percent-encoded (MkDocs decodes the path it resolves).
_HREF_UNSAFE = re.compile(r'[\x00-\x20\x7f"\'<>()\[\]\\`{|}^]')


def md_href(href: str) -> str:
    """HREF (a relative path made from file names) as a Markdown link destination."""
    return _HREF_UNSAFE.sub(lambda m: f"%{ord(m.group(0)):02X}", href)


def rel_href(src: str, target: str, anchor: str = "") -> str:
    """Relative path from the file SRC to the repository file TARGET."""
    href = _relpath(target, posixpath.dirname(src) or ".")
    return href + (f"#{anchor}" if anchor else "")


@functools.lru_cache(maxsize=65536)
def _relpath(target: str, start: str) -> str:
    return posixpath.relpath(target, start)


def too_complex(doc: Doc) -> bool:
    """The page is past what Python-Markdown can render (limits.py; the checks report it)."""
    return any(ref[0] == "page-too-complex" for ref in doc.refs)


def too_complex_notice(src: str) -> str:
    """What the site shows instead of such a page: plain text, nothing of the page's own."""
    return md_text(f"{src} is not rendered: it is too complex for Python-Markdown "
                   "(see the build's page-too-complex problem).") + "\n"


def summary(book: Book, entry: Entry, lang: str) -> str:
    """The card's first paragraph in LANG (the card's own summary), as Markdown."""
    doc = book.doc_in(entry.base, lang)
    body = doc.text[doc.fm.body_offset:]
    clean = scanner.blank_code(body)
    for block in re.split(r"\n[ \t]*\n", clean):
        stripped = block.strip()
        if not stripped or _SUMMARY_SKIP.match(stripped):
            continue
        start = clean.index(block)
        return body[start:start + len(block)].strip()
    return ""


def rebase(book: Book, text: str, src: str, host: str) -> str:
    """Rewrite TEXT's relative links, written in file SRC, to work from file HOST."""
    scan = scanner.scan(text)
    out: list[str] = []  # pieces, joined once: a summary of many links is not copied for each
    pos = 0
    # In the order of the URLs: an image's inside a link's text comes before the link's own.
    for ref in sorted(scan.refs, key=lambda r: r.target_start):
        if ref.kind not in ("link", "image", "html-link", "html-image", "refdef") or not ref.target_end:
            continue
        if ref.target_start < pos:
            continue
        link = resolve_link(book, src, ref.target)
        if link.kind not in ("doc", "asset", "missing", "not-in-site"):
            continue
        target = link.path if link.kind != "doc" else book.docs[link.path].base
        new = md_href(rel_href(host, target, link.anchor))
        if ref.kind in ("html-link", "html-image"):
            new = str(escape(new))
        out.append(text[pos:ref.target_start])
        out.append(new)
        pos = ref.target_end
    out.append(text[pos:])
    return "".join(out)


def unrename(book: Book, text: str, src: str) -> str:
    """TEXT (of the page SRC) with each relative link to a default-language file by the name
    that names its language (`x.zh.md`) written to its page's path (`x.md`): static-i18n
    resolves both, the staged book has only the second (layouts.py)."""
    layout = book.settings.layout
    named = f".{layout.default}."
    if not layout.renamed or named not in text:
        return text
    folder = posixpath.dirname(src)
    out: list[str] = []
    pos = 0
    for ref in sorted(scanner.scan(text).refs, key=lambda r: r.target_start):
        if ref.kind not in ("link", "image", "html-link", "html-image", "refdef") or ref.target_start < pos:
            continue
        written = text[ref.target_start:ref.target_end]
        path, hash_, fragment = written.partition("#")
        if named not in path or ":" in path or path.startswith("/"):
            continue
        plain = unsuffixed(path, layout.default)
        if plain == path or join_path(folder, unquote(plain)) not in layout.renamed:
            continue
        out += [text[pos:ref.target_start], plain + hash_ + fragment]
        pos = ref.target_end
    out.append(text[pos:])
    return "".join(out)


class Blocks:
    """HTML that should not go through Markdown: a placeholder paragraph in the Markdown,
    the HTML put in its place after conversion (as Material's blog and tags plugins do).

    Python-Markdown parsing raw HTML blocks (card boxes, reference lists) cost a build more
    than everything else the plugin does. Links inside blocks are written `chronicle-url:PATH`
    (a repository path) and resolved to the page's relative URL when the blocks are filled.
    """

    def __init__(self) -> None:
        self.items: dict[str, tuple[str, bool]] = {}
        self.nonce = secrets.token_hex(4)
        self.toc: list[tuple[int, str, str]] = []  # (level, id, escaped title) of headings in blocks

    def heading(self, level: int, anchor: str, title: str) -> str:
        """A heading for a block that follows it (References, Referenced by). Written as HTML in a
        late block, not as Markdown: search would make each one a section of its own, empty
        since what follows is kept out of search, and mkdocs-static-i18n's deduplication of
        the index costs the square of the number of sections. The page's table of contents
        gets it from Blocks.toc."""
        self.toc.append((level, anchor, str(escape(title))))
        return self.add(tag(f"h{level}", title, id=anchor))

    def add(self, html_block: Markup, late: bool = True) -> str:
        """A placeholder for HTML_BLOCK. A LATE block (a whole element, kept out of search anyway)
        waits in an HTML comment until search has indexed the page, which then never parses it;
        an early one (the two halves of a card box around Markdown) goes in before.
        HTML_BLOCK is Markup (built with safe.tag): a plain string is escaped, shown as text."""
        token = f"chronicle{self.nonce}x{len(self.items)}"
        self.items[token] = (str(escape(html_block)), late)
        return f"\n\n<!--{token}-->\n\n" if late else f"\n\n{token}\n\n"

    def inline(self, html_block: Markup) -> str:
        """A placeholder for HTML_BLOCK inside a line of text: a late block (see add), whose
        HTML comment Markdown keeps where it stands, in a paragraph, a list item or a cell."""
        token = f"chronicle{self.nonce}x{len(self.items)}"
        self.items[token] = (str(escape(html_block)), True)
        return f"<!--{token}-->"

    def fill(self, html_text: str, url_for: Callable[[str], str], late: bool = False) -> str:
        """Put in the early blocks, or (LATE) the late ones: one pass over the page."""
        if not any(is_late == late for _, is_late in self.items.values()):
            return html_text
        token = rf"chronicle{self.nonce}x\d+"
        pattern = rf"<!--({token})-->" if late else rf"<p>({token})</p>|({token})"

        def url(m: re.Match[str]) -> str:
            return str(escape(url_for(unquote(m.group(1))))) + (m.group(2) or "")

        def put(m: re.Match[str]) -> str:
            block, is_late = self.items.get(m.group(m.lastindex or 0), ("", not late))
            if is_late != late:
                return m.group(0)
            if late:  # search has run: the attribute it reads has done its job
                block = block.replace(" " + SEARCH_EXCLUDE, "")
            # Links resolved in the block alone, not by another pass over the whole page.
            return _URL_MARK.sub(url, block) if "chronicle-url:" in block else block

        return re.sub(pattern, put, html_text)


# Material's search skips elements with this attribute (and strips it from the page):
# card boxes and reference lists repeat text that has its own page.
SEARCH_EXCLUDE = 'data-search-exclude="true"'
_URL_MARK = re.compile(r'chronicle-url:([^"#]*)(#[^"]*)?')


def card_url(path: str, anchor: str = "") -> Markup:
    """An href in a block, resolved when the block is filled (Markup: safe.tag takes it as ours).
    Percent-encoded: nothing in a file name can end the attribute or be taken for the '#'."""
    return Markup("chronicle-url:" + quote(path) + (f"#{quote(anchor)}" if anchor else ""))


def badge(lang: str, sig: str | None) -> Markup:
    if not sig:
        return Markup()
    return tag("span", value(lang, "significance_level", sig), class_=f"chronicle-badge chronicle-badge--{sig}")


def tag_list(tags: list[str]) -> Markup:
    return join("", (tag("span", x, class_="chronicle-tag") for x in tags))


def embed_blocks(book: Book, entry: Entry, lang: str) -> tuple[Markup, Markup]:
    """The card box around an embedded card's summary: (opening HTML, closing HTML)."""
    card = entry.card
    title = entry.title(lang, book.default)
    href = card_url(entry.base)
    sig = getattr(card, "significance_level", None) or ""
    cls = f"chronicle-card chronicle-card--{entry.kind}" + (f" chronicle-card--{sig}" if sig else "")
    opening = [
        Markup(f'<div class="{escape(cls)}" {SEARCH_EXCLUDE}>'),
        tag("p", tag("span", t(lang, entry.kind), class_="chronicle-card__kind"), " ", tag("a", title, href=href),
            class_="chronicle-card__title"),
    ]
    meta: list[Markup] = []
    if entry.kind == "event":
        if card.date is not None:
            meta.append(tag("time", card.date, class_="chronicle-card__date"))
        org = localized_org(book, entry, lang)
        if org:
            meta.append(tag("span", org, class_="chronicle-card__org"))
        if card.event_type:
            meta.append(tag("span", value(lang, "event_type", card.event_type), class_="chronicle-card__type"))
        if sig:
            meta.append(badge(lang, sig))
    else:
        if card.introduced:
            meta.append(tag("span", f"{t(lang, 'introduced')} {card.introduced}"))
        others = [entry.titles[o] for o in book.settings.languages if o != lang and o in entry.titles]
        if others and others[0] != title:
            meta.append(tag("span", others[0], class_="chronicle-card__alt"))
    if meta:
        opening.append(tag("p", join(" · ", meta), class_="chronicle-card__meta"))
    closing: list[Markup] = []
    tags = getattr(card, "tags", None) or []
    if tags:
        closing.append(tag("p", tag_list(tags), class_="chronicle-card__tags"))
    closing.append(tag("p", tag("a", f"{t(lang, 'read_card')} →", href=href), class_="chronicle-card__more"))
    closing.append(Markup("</div>"))
    return join("\n", opening), join("\n", closing)


def embed_markdown(book: Book, entry: Entry, host: str, lang: str, blocks: Blocks) -> str:
    """What replaces `![[id]]`: the box's HTML as blocks around the card's own summary, whose
    relative links are rebased so that they work from the host page."""
    opening, closing = embed_blocks(book, entry, lang)
    text = summary(book, entry, lang)
    doc = book.doc_in(entry.base, lang)
    body = rebase(book, text, doc.path, host) if text else ""
    if body and doc.lang != lang:
        # The card has no LANG translation: its summary is in its own language (see
        # pages.in_original_language).
        body = (blocks.add(Markup(f'<div lang="{escape(doc.lang)}">'), late=False) + body
                + blocks.add(Markup("</div>"), late=False))
    return blocks.add(opening, late=False) + body + blocks.add(closing, late=False)


def localized_org(book: Book, entry: Entry, lang: str) -> str:
    """An event's organization in LANG: the translation's, `organization_<lang>`, or the original."""
    doc = book.doc_in(entry.base, lang)
    if doc.lang == lang and doc.lang != book.default:
        value = doc.fm.data.get("organization")
        if value:
            return str(value)
    original = book.docs[entry.base].fm.data
    return str(original.get(f"organization_{lang}") or entry.card.organization or "")


def cite_link(book: Book, key: str) -> Markup:
    """A link from an author-year label to the key's entry in the page's reference list."""
    return tag("a", book.bib.label(key), class_="chronicle-cite", href=f"#ref-{key}")


def cite_html(book: Book, keys: list[str]) -> str:
    return "(" + "; ".join(cite_link(book, k) for k in keys) + ")"


def references_section(book: Book, keys: list[str], lang: str, blocks: Blocks) -> str:
    items = []
    for key in keys:
        cred = book.bib.credibility(key)
        label = t(lang, "credibility")
        cred_badge = Markup(" ") + tag("span", f"{label} {cred}", class_=f"chronicle-cred chronicle-cred--{cred}",
                                       title=label) if cred else ""
        items.append(tag("li", book.bib.reference_html(key), cred_badge, id=f"ref-{key}"))
    return blocks.heading(2, "chronicle-references", t(lang, "references")) + blocks.add(
        Markup(f'<ol class="chronicle-references" {SEARCH_EXCLUDE}>\n') + join("\n", items) + Markup("\n</ol>")
    )


def render_markdown(book: Book, src: str, markdown: str, lang: str, blocks: Blocks,
                    extra_sources: list[str] | None = None) -> str:
    """Rewrite the page SRC (a repository path) for readers of LANG; HTML goes to BLOCKS.
    EXTRA_SOURCES (a card's `sources`) join the page's reference list."""
    if "[[" not in markdown and "[@" not in markdown and not extra_sources:
        return markdown
    scan = scanner.scan(markdown)
    if any(ref.kind == "embed" for ref in scan.refs):
        # Card boxes bring their summaries' own [[id]]s and [@key]s: scan the result again.
        markdown = _embeds(book, src, markdown, scan, lang, blocks)
        scan = scanner.scan(markdown)
    out: list[str] = []
    pos = 0
    cited: list[str] = []
    for ref in scan.refs:
        replacement = None
        if ref.kind == "wikilink" or ref.kind == "embed-inline":
            # An embed inside a line cannot hold a card box: it is a link to the card (the
            # checks warn about it), and its '!' goes with it.
            ident, anchor, text = scanner.split_wiki(ref.target)
            entry = book.entries.get(ident)
            if entry is not None:
                title = text or entry.title(lang, book.default)
                replacement = f"[{md_text(title)}]({md_href(rel_href(src, entry.base, anchor))})"
        elif ref.kind == "cite" and all(k in book.bib for k in ref.keys):
            replacement = cite_html(book, ref.keys)
            cited.extend(k for k in ref.keys if k not in cited)
        if replacement is not None:
            out.append(markdown[pos:ref.start])
            out.append(replacement)
            pos = ref.end
    out.append(markdown[pos:])
    text = "".join(out)
    cited.extend(k for k in extra_sources or [] if k in book.bib and k not in cited)
    if cited:
        text += references_section(book, cited, lang, blocks)
    return text


def _embeds(book: Book, src: str, markdown: str, scan: scanner.Scan, lang: str, blocks: Blocks) -> str:
    out: list[str] = []
    pos = 0
    for ref in scan.refs:
        if ref.kind != "embed":
            continue
        ident = scanner.split_wiki(ref.target)[0]
        entry = book.entries.get(ident)
        if entry is None or entry.card is None:
            continue
        if book.by_base.get(book.docs[src].base if src in book.docs else src) is entry or too_complex(
            book.doc_in(entry.base, lang)
        ):
            # A card embedding itself: show a link, never the card inside itself (nor a card
            # too complex to render).
            box = f"[{md_text(entry.title(lang, book.default))}]({md_href(rel_href(src, entry.base))})"
        else:
            box = embed_markdown(book, entry, src, lang, blocks)
        out.append(markdown[pos:ref.start])
        out.append("\n" + box + "\n")
        pos = ref.end
    out.append(markdown[pos:])
    return "".join(out)


# A start tag, quoted values kept whole (a '>' in one does not end the tag), and a URL
# attribute in it (quoted or not), as a browser's tokenizer reads them.
_START_TAG = re.compile(r"""<[A-Za-z][^\s/>]*(?:"[^"]*"|'[^']*'|[^'">])*>""")
_URL_ATTRIBUTE = re.compile(
    r"""(?<=[\s"'/])(?:href|src|action|formaction|xlink:href|poster|data)[\t\n\f\r ]*=[\t\n\f\r ]*"""
    r"""(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""",
    re.I,
)


def drop_unsafe_urls(html_text: str) -> str:
    """The page's HTML without any href or src whose scheme is not http, https or mailto:
    the element stays, as text that links nowhere. `chronicle check` reports each with its
    line (checks.py, unsafe-url); this keeps a build that goes on anyway from publishing it.
    Text and code are left alone: only start tags are read."""

    def attribute(m: re.Match[str]) -> str:
        value = m.group(1) if m.group(1) is not None else m.group(2) if m.group(2) is not None else m.group(3)
        return m.group(0) if is_safe_url(value) else ""

    def start_tag(m: re.Match[str]) -> str:
        text = m.group(0)
        if ":" not in text and "&" not in text:
            return text  # no scheme, whatever a browser decodes
        return _URL_ATTRIBUTE.sub(attribute, text)

    return _START_TAG.sub(start_tag, html_text)


_FIRST_H1 = re.compile(r"\s*<h1[\s>]")


def title_html(title: Any, meta: dict[str, Any], html_text: str) -> str | None:
    """A page's title as HTML text. MkDocs takes it from the front matter or the file name as
    written (to escape), or from the first H1 as HTML, its entities kept (escaping it again
    would show '&lt;'); themes print it as it is."""
    if title is None:
        return None
    if "title" not in meta and _FIRST_H1.match(html_text):
        return str(title)
    return str(escape(str(title)))


# Front-matter fields that themes print as they are (Material: <title>, the header, <meta
# name="description" content="...">, the search index's tags, a redirect's location).
_THEME_FIELDS = ("title", "description", "author", "location")


def escape_meta(meta: dict[str, Any]) -> None:
    """Escape, in place, the front-matter strings a theme writes into HTML unescaped."""
    for name in _THEME_FIELDS:
        value = meta.get(name)
        if isinstance(value, str):
            meta[name] = str(escape(value))
    tags = meta.get("tags")
    if isinstance(tags, list):
        meta["tags"] = [str(escape(x)) if isinstance(x, str) else x for x in tags]


_A_HREF = re.compile(r'<a (?P<before>[^>]*?)href="(?P<href>[^"#]*)(?P<frag>#[^"]*)?"')


def mark_untranslated(html_text: str, page_url: str, lang: str, locale_of: Callable[[str], str | None],
                      label: Callable[[str], str]) -> str:
    """Mark each link of a page (at PAGE_URL, read in LANG) whose target page is in another
    language: `hreflang`, a class, and a label that CSS shows after the link."""
    base = page_url if page_url.endswith("/") or not page_url else posixpath.dirname(page_url) + "/"

    def mark(m: re.Match[str]) -> str:
        href = m.group("href")
        if not href or "://" in href or href.startswith(("mailto:", "/", "#")):
            return m.group(0)
        target = posixpath.normpath(posixpath.join(base, href))
        locale = locale_of("" if target == "." else target)
        if locale is None or locale == lang:
            return m.group(0)
        before = m.group("before")
        if 'class="' in before:
            before = before.replace('class="', 'class="chronicle-untranslated ', 1)
        else:
            before = 'class="chronicle-untranslated" ' + before
        return (f'<a hreflang="{html.escape(locale)}" data-chronicle-lang="{html.escape(label(locale))}" '
                f'{before}href="{href}{m.group("frag") or ""}"')

    return _A_HREF.sub(mark, html_text)
