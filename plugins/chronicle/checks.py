"""Every check of the design, as a pure function of the Book: `check(book) -> problems`.

Checks are registered. A file check (`@file_check`) looks at one file and declares the facets
of the rest of the book it reads (FACETS): its problems are cached with the file, under a key
made from exactly those facets (world_key), so a check added here can never meet problems
that went stale when something it reads changed. A book check (`@book_check`) looks at the
book as a whole and runs every time, unless it is a function of the files alone
(`@book_check(cached=True)`): its problems are reused while no file of the book, the schema
and the world are as they were (book_key).
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from . import rules as book_rules
from . import scanner
from .book import Book, Doc, Site
from .cache import BIBLIOGRAPHY, FactCache
from .parallel import fork_map
from .problems import Problem, sort_problems
from .resolve import (
    SCHEME,
    join_path,
    missing_anchor_files,
    probe,
    resolve_link,
    suggest_id,
    suggest_key,
    suggest_path,
)
from .safe import SAFE_SCHEMES, UNSAFE_URL_HINT, url_scheme
from .schema import BACKWARD, FORWARD, as_list
from .status import git_head, statuses
from .suggest import near


def check(book: Book, jobs: int = 1) -> list[Problem]:
    """All problems of the book, sorted, each once.

    The references of a file unchanged since the last run, in a book whose world_key is the
    same, have the problems they had then (from the cache); the other files are checked, in
    JOBS forked processes if asked (the command line's choice: see parallel.py).
    """
    store = book.cache
    # With no problems on record (a first run) the world's digest is only needed to record
    # the new ones: it is worked out in parallel with the checks, not before them.
    world = world_key(book) if store is not None and store.problems else ""
    before = store.problems_in(world) if world else {}
    reusable: dict[str, Any] = {}  # what the next run may take as it is: (rows, probes)
    rows: list[tuple[Any, ...]] = []
    todo: list[Doc] = []
    root = book.settings.root
    for doc in book.docs.values():
        known = before.get(doc.path) if doc.unchanged else None
        if known is not None and all(probe(root, path) == state for path, state in known[1]):
            reusable[doc.path] = known
            rows += known[0]
        else:
            todo.append(doc)

    def check_docs(docs: Sequence[Doc]) -> list[tuple[str, list[tuple[Any, ...]], list[tuple[str, str]]]]:
        out = []
        for doc in docs:
            start = len(book.probed)
            found = [_row(p) for c in FILE_CHECKS for p in c.run(book, doc)]
            out.append((doc.path, found, book.probed[start:]))
        return out

    book_wide: list[Problem] = []

    def first() -> None:
        # In this process while others check files: the facts cache, and the book as a whole.
        nonlocal world
        keys: dict[bool, str] = {}
        if store is not None:
            store.save_facts()
            world = world or world_key(book)
        for book_check_ in BOOK_CHECKS:
            name = book_check_.__name__
            if store is None or name not in CACHED_BOOK_CHECKS:
                book_wide.extend(book_check_(book))
                continue
            bodies, also = CACHED_BOOK_CHECKS[name]
            if bodies not in keys:
                keys[bodies] = book_key(book, world, store, bodies)
            key = f"{keys[bodies]} {also(book)}" if also is not None else keys[bodies]
            rows = store.book_problems_in(name, key)
            if rows is None:
                rows = [_row(p) for p in book_check_(book)]
                store.put_book_problems(name, key, rows)
            book_wide.extend(Problem(*row) for row in rows)

    for path, found, probed in fork_map(check_docs, todo, jobs, minimum=500, first=first):
        rows += found
        # What the file system said (a folder, a file outside the site, nothing) is asked
        # again before these problems are reused.
        reusable[path] = (found, probed)
    problems = [Problem(*row) for row in rows]
    if store is not None:
        store.put_problems(world, reusable)
        store.save_problems()
    return sort_problems(problems + book.problems + book_wide)


def _layout(book: Book) -> Iterable[str]:
    s = book.settings
    return [repr((s.languages, s.default_language, s.docs_dir, s.knowledge_dirs, s.bibliographies,
                  sorted((base, sorted(held)) for base, held in book.bilingual.items())))]


def _anchors(book: Book) -> Iterable[str]:
    for path in sorted(book.docs):
        yield "\0" + path
        yield from sorted(book.docs[path].anchors)


# What a file check may read besides its own file, each with what stands for it in the cache
# key. A check that reads something not listed here needs a facet for it first.
FACETS: dict[str, Callable[[Book], Iterable[str]]] = {
    "layout": _layout,  # languages, folders, bibliography files, bilingual pages: how paths map to pages
    "files": lambda book: sorted(book.files),  # every path of both trees (and so every translation)
    "anchors": _anchors,  # every id each page will have
    "ids": lambda book: sorted(f"{e.id}\t{e.kind}\t{e.base}" for e in book.entries.values()),
    "citations": lambda book: sorted(book.bib.tiers),  # every citation key
    # What every id is called in each language (an [[id]]'s link text).
    "titles": lambda book: sorted(f"{e.id}\t{sorted(e.titles.items())}" for e in book.entries.values()),
    "rules": lambda book: _rules_facet(book),  # the book's own rules, and the authors they match citations to
}


@dataclass(frozen=True)
class FileCheck:
    name: str
    run: Callable[[Book, Doc], Iterable[Problem]]
    reads: frozenset[str]


FILE_CHECKS: list[FileCheck] = []
BOOK_CHECKS: list[Callable[[Book], Iterable[Problem]]] = []


def file_check(name: str, reads: Iterable[str]) -> Callable[[Callable[[Book, Doc], Iterable[Problem]]],
                                                            Callable[[Book, Doc], Iterable[Problem]]]:
    """Register a check of one file that reads the facets READS of the rest of the book."""
    wanted = frozenset(reads)
    unknown = wanted - FACETS.keys()
    if unknown:
        raise ValueError(f"file check {name!r} reads {sorted(unknown)}, which are not facets of checks.FACETS")

    def register(run: Callable[[Book, Doc], Iterable[Problem]]) -> Callable[[Book, Doc], Iterable[Problem]]:
        FILE_CHECKS.append(FileCheck(name, run, wanted))
        return run

    return register


BookCheck = Callable[[Book], Iterable[Problem]]
# The book checks whose problems are reused while their book_key is the same: whether each
# reads the pages' bodies, and what else it reads, as a string (None: nothing else).
CACHED_BOOK_CHECKS: dict[str, tuple[bool, Callable[[Book], str] | None]] = {}


@overload
def book_check(run: BookCheck) -> BookCheck: ...
@overload
def book_check(*, cached: bool, bodies: bool = True,
               also: Callable[[Book], str] | None = None) -> Callable[[BookCheck], BookCheck]: ...
def book_check(run: BookCheck | None = None, *, cached: bool = False, bodies: bool = True,
               also: Callable[[Book], str] | None = None) -> Any:
    """Register a check of the book as a whole. It runs every time, unless CACHED: a check that
    reads the book's files (their front matter, their BODIES too unless told not, the schema,
    the bibliography) and, besides them, only what ALSO stands for (git's HEAD, say); its
    problems are then reused while book_key and ALSO's answer are the same."""

    def register(run: BookCheck) -> BookCheck:
        BOOK_CHECKS.append(run)
        if cached:
            CACHED_BOOK_CHECKS[run.__name__] = (bodies, also)
        return run

    return register(run) if run is not None else register


def book_key(book: Book, world: str, store: FactCache, bodies: bool = True) -> str:
    """A digest of everything a cached book check may read: every file's content as the cache
    recorded it this run (the pages, cards and bibliography files, by SHA-256), or without
    BODIES every page's path and front matter and the bibliography files' content; the
    languages, the card schema, and the world the file checks see."""
    s = book.settings
    h = hashlib.sha256(repr((bodies, world, s.languages, s.default_language, s.schema.digest(), s.bilingual))
                       .encode("utf-8", "surrogatepass"))
    h.update(" ".join(sorted(CACHED_BOOK_CHECKS)).encode())
    contents = store.contents() if bodies else store.contents(BIBLIOGRAPHY)
    if not bodies:
        docs = book.docs
        h.update("".join(f"{path}\0{docs[path].fm.raw}\0" for path in sorted(docs)).encode("utf-8", "surrogatepass"))
    h.update(b"".join(path.encode("utf-8", "surrogatepass") + b"\0" + digest for path, digest in contents))
    return h.hexdigest()[:32]


def world_key(book: Book) -> str:
    """A digest of everything the file checks read besides the file itself: the facets they
    declare, each under its name, and the checks' names (a check added or removed changes it)."""
    read = sorted(set().union(*(c.reads for c in FILE_CHECKS)))
    parts = [" ".join(c.name for c in FILE_CHECKS)]
    for facet in read:
        parts.append("\0" + facet)
        parts += FACETS[facet](book)
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _row(p: Problem) -> tuple[Any, ...]:
    return (p.file, p.line, p.column, p.severity, p.code, p.message, p.target, p.hint)


def _p(doc: Doc, ref: Site, severity: str, code: str, message: str, target: str, hint: str = "") -> Problem:
    line, column = doc.position(ref)
    return Problem(doc.path, line, column, severity, code, message, target, hint)  # type: ignore[arg-type]


_URL_KINDS = frozenset(("link", "image", "html-link", "html-image", "refdef"))
_IMAGE_KINDS = frozenset(("image", "html-image"))


@file_check("references", reads=("layout", "files", "anchors", "ids", "citations"))
def check_doc(book: Book, doc: Doc) -> list[Problem]:
    """The references written in one file.

    The hot path of the checker (one pass per reference of the book, nearly all fine): plain
    calls that append to a list, no generator per reference.
    """
    out: list[Problem] = []
    definitions = doc.definitions
    langs = book.render_languages(doc)
    docs, entries, translations, bib = book.docs, book.entries, book.translations, book.bib.tiers
    files, own_anchors = book.files, doc.anchors
    path_cache, default, lang = book.path_cache, book.default, doc.lang
    folder = doc.path.rpartition("/")[0]
    no_translations: dict[str, str] = {}
    held = book.bilingual
    for ref in doc.refs:
        kind, target, keys = ref[0], ref[1], ref[2]
        if kind in _URL_KINDS:
            # Fast paths: prove a link fine without building anything; whatever they cannot
            # prove goes to _check_url, the one place that words problems.
            rest, _, fragment = target.partition("#")
            if not rest:
                if "%" not in fragment and (not fragment or fragment in own_anchors):
                    continue  # a section of this page
            elif ":" in rest:
                if SCHEME.match(rest) and rest.partition(":")[0].lower() in SAFE_SCHEMES:
                    continue  # external: only --external looks at it
            elif "?" not in rest and "%" not in rest and "&" not in rest and rest[0] != "/":
                # No ':' even once character references are decoded: a relative path.
                path = path_cache.get((folder, rest))
                if path is None:
                    path = path_cache[(folder, rest)] = join_path(folder, rest)
                tdoc = docs.get(path)
                if tdoc is None:
                    if path in files:
                        continue  # an image or another file of the book
                elif tdoc.lang == lang or tdoc.lang == default:
                    base = tdoc.base
                    versions = translations.get(base, no_translations)
                    if lang == default or lang in versions or (base in held and lang in held[base]):
                        if not fragment:
                            continue
                        if "%" not in fragment:
                            for v in langs:  # a loop, not all(): no generator per link
                                if fragment not in docs[versions.get(v, base)].anchors:
                                    break
                            else:
                                continue
            _check_url(book, doc, langs, ref, target, kind in _IMAGE_KINDS, out)
        elif kind == "wikilink" or kind == "embed":
            if "\\" not in target:
                ident, _, anchor = target.partition("|")[0].partition("#")
                entry = entries.get(ident.strip())
                if entry is not None and (kind == "wikilink" or entry.kind != "page") and (
                    lang == default or lang in translations.get(entry.base, no_translations)
                    or (entry.base in held and lang in held[entry.base])
                ):
                    anchor = anchor.strip()
                    if not anchor:
                        continue
                    versions = translations.get(entry.base, no_translations)
                    if all(anchor in docs[versions.get(v, entry.base)].anchors for v in langs):
                        continue
            _check_id(book, doc, langs, ref, out)
        elif kind == "cite":
            for key in keys:
                if key not in bib:
                    near = suggest_key(book, key)
                    first = book.settings.bibliography
                    hint = f"did you mean '@{near}'?" if near else f"add an entry '{key}' to {first}"
                    out.append(_p(doc, ref, "error", "unknown-citation",
                                  f"citation key '{key}' is not in {book.bib.describe()}", "@" + key, hint))
        elif kind in _SYNTAX_KINDS:
            _check_syntax(book, doc, langs, ref, out)
        elif kind == "reflink":
            if scanner.normalize_label(target) not in definitions:
                out.append(_p(doc, ref, "error", "undefined-label",
                              f"reference-style link uses label '{target}', which has no definition",
                              target, f"add a line '[{target}]: url' to this file"))
    return out


def _authors(book: Book) -> list[tuple[str, tuple[str, ...], str]]:
    """The bibliography's (key, surnames, year), read only when a citation rule needs them."""
    if not book.settings.rules.citations:
        return []
    found = book.memo.get("rule_authors")
    if found is None:
        found = book.memo["rule_authors"] = book_rules.author_index(book.bib.entries)
    return found


def _rules_facet(book: Book) -> list[str]:
    return [book.settings.rules.key(), *(repr(a) for a in _authors(book))]


@file_check("rules", reads=("layout", "rules"))
def check_rules(book: Book, doc: Doc) -> list[Problem]:
    """The book's own rules (`rules:` in mkdocs.yml, rules.py) on one file."""
    declared = book.settings.rules
    if not declared or doc.fm.error:
        return []
    site_path = doc.base if doc.tree != "manuscript" else doc.base[len(book.settings.docs_dir) + 1:]
    page = book_rules.Page(doc.path, site_path, doc.lang, doc.text, doc.fm.body_offset)
    return book_rules.check_page(declared, page, _authors(book), book.bib.describe())


_SYNTAX_KINDS = frozenset(("wiki-syntax", "embed-inline", "page-too-complex"))


def _check_syntax(book: Book, doc: Doc, langs: list[str], ref: Site, out: list[Problem]) -> None:
    """What the scanner found written wrong: wiki syntax, an embed inside a line, a page past
    what Python-Markdown can take (limits.py)."""
    kind, target = ref[0], ref[1]
    if kind == "page-too-complex":
        hint = ref[2][0] if ref[2] else "make the page simpler"
        out.append(_p(doc, ref, "error", "page-too-complex",
                      f"{target}: the page is not rendered", "", hint))
    elif kind == "wiki-syntax":
        if target.endswith("]]"):
            out.append(_p(doc, ref, "error", "wiki-syntax", f"'{target}' names nothing", target,
                          "write an id between the brackets, e.g. [[event-id]], or remove it"))
        else:
            out.append(_p(doc, ref, "error", "wiki-syntax", f"'{target}' is not closed on its line", target,
                          "close it with ]] on the same line, or escape it as \\[["))
    else:
        written = f"![[{target}]]"
        out.append(_p(doc, ref, "warning", "embed-inline",
                      f"'{written}' is not alone on its line: it renders as a link", written,
                      "put the embed on a line of its own, or write [[...]] for a link"))
        _check_id(book, doc, langs, ref, out)


def _check_url(book: Book, doc: Doc, langs: list[str], ref: Site, url: str, image: bool,
               out: list[Problem]) -> None:
    scheme = url_scheme(url)
    if scheme and scheme not in SAFE_SCHEMES:
        what = "image" if image else "link"
        out.append(_p(doc, ref, "error", "unsafe-url",
                      f"{what} '{url}' has the scheme '{scheme}:'; only http, https and mailto are linked",
                      url, UNSAFE_URL_HINT))
        return
    link = resolve_link(book, doc.path, url)
    kind = link.kind
    if kind == "doc":
        target = book.docs[link.path]
        if target.lang != doc.lang and target.lang != book.default:
            out.append(_p(doc, ref, "error", "wrong-language",
                          f"link '{url}' points into the {target.lang} file {target.path}", url,
                          f"link to {posixpath.relpath(target.base, posixpath.dirname(doc.path))}: "
                          "each reader is sent to their own language"))
            return
        _check_anchor_and_language(book, doc, langs, ref, url, target.base, link.anchor, out)
        return
    code = "missing-image" if image else "missing-file"
    what = "image" if image else "link"
    if kind == "absolute":
        # An absolute path is the reader's server's, never the book's (nor the same on every site).
        out.append(_p(doc, ref, "error", "absolute-link", f"{what} '{url}' is an absolute path", url,
                      "write the path relative to this file"))
        return
    if kind in ("external", "asset"):
        return
    if kind == "self":
        if link.anchor and link.anchor not in doc.anchors:
            out.append(_p(doc, ref, "error", "missing-anchor",
                          f"'#{link.anchor}' is not a heading or id of this page", url,
                          "give the heading an explicit id, e.g. '## Title {#" + link.anchor + "}'"))
    elif kind == "outside":
        out.append(_p(doc, ref, "error", "outside-project",
                      f"{what} '{url}' leads outside the project folder", url,
                      "links may only point at files of the book"))
    elif kind == "missing":
        near = suggest_path(book, link.path, (doc.path, doc.base))
        hint = (f"did you mean '{posixpath.relpath(near, posixpath.dirname(doc.path))}'?" if near
                else "the path is relative to this file: check its folders and its name")
        out.append(_p(doc, ref, "error", code, f"{what} '{url}': {link.path} does not exist", url, hint))
    elif kind == "folder":
        out.append(_p(doc, ref, "error", code, f"{what} '{url}': {link.path} is a folder with no index.md", url,
                      "link to a page in it"))
    elif kind == "not-in-site":
        out.append(_p(doc, ref, "error", code,
                      f"{what} '{url}': {link.path} is not part of the site", url,
                      f"only files in {', '.join(t + '/' for t in book.settings.trees)} are published"))


def _check_anchor_and_language(book: Book, doc: Doc, langs: list[str], ref: Site, written: str, base: str,
                               anchor: str, out: list[Problem]) -> None:
    if anchor:
        missing = missing_anchor_files(book, langs, base, anchor)
        if missing:
            out.append(_p(doc, ref, "error", "missing-anchor",
                          f"'#{anchor}' is not a heading or id in {', '.join(missing)}", written,
                          "give the heading the same explicit id in every language, e.g. '{#" + anchor + "}'"))
    if doc.lang != book.default and not book.has_translation(base, doc.lang):
        out.append(_p(doc, ref, "warning", "untranslated-target",
                      f"'{written}' leads to {base}, which has no {doc.lang} translation "
                      f"(readers get the {book.default} page)", written,
                      f"translate {base} ({base[:-3]}.{doc.lang}.md), or link to a page that has one"))


def _check_id(book: Book, doc: Doc, langs: list[str], ref: Site, out: list[Problem]) -> None:
    kind, inner = ref[0], ref[1]
    ident, anchor, _text = scanner.split_wiki(inner)
    entry = book.entries.get(ident)
    if entry is not None and not anchor and (kind != "embed" or entry.kind != "page") and (
        doc.lang == book.default or book.has_translation(entry.base, doc.lang)
    ):
        return  # the common case, decided without building a message
    written = ("[[" if kind == "wikilink" else "![[") + inner + "]]"
    if entry is None:
        near = suggest_id(book, ident) if ident else None
        hint = f"did you mean '{near}'?" if near else "ids are event_id, concept_id, a page's id or a chapter folder"
        out.append(_p(doc, ref, "error", "unknown-id", f"'{written}' names no card or page", written, hint))
        return
    if kind == "embed" and entry.kind == "page":
        out.append(_p(doc, ref, "error", "embed-not-card",
                      f"'{written}' names the page {entry.base}; only cards can be embedded", written,
                      f"link to it instead: [[{ident}]]"))
        return
    _check_anchor_and_language(book, doc, langs, ref, written, entry.base, anchor, out)


def _fm(book: Book, path: str, line: int, code: str, message: str, target: str = "", hint: str = "",
        severity: str = "error") -> Problem:
    return Problem(path, line, 1, severity, code, message, target, hint)  # type: ignore[arg-type]


@book_check(cached=True, bodies=False)  # on 4,000 chapters a fifth of a warm run
def check_cards(book: Book) -> Iterator[Problem]:
    """Front-matter references (every field the schema types as ids, built in or the book's
    own), page fields that name cards, and the causal graph's checks."""
    events = {e.id: e for e in book.events()}
    concepts = {e.id for e in book.concepts()}
    chapters = {
        posixpath.basename(posixpath.dirname(d.path))
        for d in book.docs.values()
        if d.tree == "manuscript" and posixpath.dirname(d.path) != book.settings.docs_dir
    }
    bib = book.bib
    known: dict[str, tuple[Any, str]] = {
        "event": (events, "an event id"),
        "concept": (concepts, "a concept id"),
        "id": (book.entries, "an id of a card or a page"),
        "chapter": (chapters, f"a chapter folder of {book.settings.docs_dir}/"),
        "sources": (bib.tiers, f"a key in {bib.describe()}"),
    }

    def unknown(doc_path: str, line: int, field: str, value: str, names: Any, what: str) -> Problem:
        close = near(value, list(names), 0.6)
        hint = f"did you mean '{close}'?" if close else f"use {what}, or remove the value"
        return _fm(book, doc_path, line, "unknown-reference",
                   f"field '{field}': '{value}' is not {what}", value, hint)

    def check_names(path: str, fm: Any, name: str, type_: str, values: list[Any]) -> Iterator[Problem]:
        names, what = known[type_]
        written = fm.data.get(name)
        for i, value in enumerate(values):
            if value not in names:
                # The line of the item as written (recovery may have dropped a bad one before it).
                at = written.index(value) if isinstance(written, list) and value in written else i
                line = fm.line_of(name, at) if isinstance(written, list) else fm.line_of(name)
                yield unknown(path, line, name, value, names, what)

    for entry in book.entries.values():
        card = entry.card
        if card is None:
            continue
        doc = book.docs[entry.base]
        fm = doc.fm
        for name, spec in card.spec.fields.items():
            if spec.type in known:
                value = card.fields.get(name)
                if value:
                    yield from check_names(doc.path, fm, name, spec.type, as_list(value))
        for rel, target, idx in card.relations():
            idx = _connection_index(fm.data.get("causal_connections"), rel, target, idx)
            if target not in events:
                line = fm.line_of("causal_connections", idx)
                yield unknown(doc.path, line, f"causal_connections.{rel}", target, events, "an event id")
                continue
            if rel == "enabled_by" and card.date is not None and events[target].card.date is not None \
                    and events[target].card.sort_key() > card.sort_key():
                yield _fm(book, doc.path, fm.line_of("causal_connections", idx), "causal-order",
                          f"'{entry.id}' ({card.date}) is enabled_by '{target}', dated later "
                          f"({events[target].card.date})", target,
                          "an event can only be enabled by an earlier one: fix a date or the relation")
        if entry.kind == "event" and card.verification_status == "verified":
            tiers = [bib.credibility(k) for k in card.sources]
            if not any(t in (1, 2) for t in tiers):
                yield _fm(book, doc.path, fm.line_of("verification_status"), "unsupported-verification",
                          f"'{entry.id}' is marked verified but has no source of credibility 1 or 2",
                          "verified", "cite a primary source, or lower verification_status")
    yield from check_page_references(book, known, check_names)
    yield from check_causal_cycles(book)


def _connection_index(written: Any, rel: str, target: str, fallback: int) -> int:
    """Where a relation is in causal_connections as written: recovery may have dropped a bad
    entry before it, so the validated list's index is not always the line's."""
    if isinstance(written, list):
        for i, item in enumerate(written):
            if isinstance(item, dict) and target in as_list(item.get(rel)):
                return i
    return fallback


def check_page_references(book: Book, known: dict[str, Any], check_names: Any) -> Iterator[Problem]:
    """Front-matter fields of pages that the schema says name cards (`key_events: event`)."""
    fields = book.settings.schema.page
    if not fields:
        return
    for doc in book.docs.values():
        entry = book.by_base.get(doc.base)
        if doc.fm.error or (entry is not None and entry.card is not None) or doc.base not in book.docs:
            continue
        if entry is None and book.docs[doc.base].fm.data.keys() & {"event_id", "concept_id"}:
            continue  # a card whose front matter is broken: reported already
        data = doc.fm.data
        for name, type_ in fields.items():
            value = data.get(name)
            if value is None:
                continue
            values = as_list(value)
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                yield _fm(book, doc.path, doc.fm.line_of(name), "frontmatter-field",
                          f"field '{name}': {value!r:.40} is not a list of ids", name,
                          f"write {name}: [id, id]: it names {type_} cards")
                continue
            yield from check_names(doc.path, doc.fm, name, type_, values)


@book_check
def check_bibliography(book: Book) -> Iterator[Problem]:
    """A URL in a bibliography entry that the reference list may not link (javascript:, data:,
    ...), and a key defined twice, each in the file it is written in."""
    for file, line, column, key, name, url in book.bib.unsafe:
        if file in book.docs:
            continue  # a Markdown bibliography that is a page of the book: its links are checked as a page's
        yield Problem(file, line, column, "error", "unsafe-url",  # type: ignore[arg-type]
                      f"field '{name}' of '{key}': '{url}' has the scheme '{url_scheme(url)}:'; "
                      "only http, https and mailto are linked", url,
                      UNSAFE_URL_HINT + "; the reference shows this one as text")
    for file, line, key, first_file, first_line in book.bib.duplicates:
        yield Problem(file, line, 1, "error", "duplicate-citation-key",  # type: ignore[arg-type]
                      f"the key '{key}' is defined again: it was defined first at {first_file}:{first_line}, "
                      "and citations name that entry", key,
                      "give one of the two entries another key (and the citations that mean it), "
                      "or delete the copy")


def causal_edges(book: Book) -> list[tuple[str, str, str]]:
    """(from, to, relation) with every relation pointing forward in causation (computed once:
    every event card's neighbourhood graph asks for it)."""
    cached = book.memo.get("causal_edges")
    if cached is not None:
        return cached
    edges: list[tuple[str, str, str]] = []
    events = {e.id: e for e in book.events()}
    for entry in book.events():
        for rel, target, _ in entry.card.relations():
            if target not in events:
                continue
            if rel in FORWARD:
                edges.append((entry.id, target, rel))
            elif rel in BACKWARD:
                edges.append((target, entry.id, BACKWARD[rel]))
            else:
                # A relation the book declared says nothing of which way causation runs
                # (`parallel_to`, `response_to`): it is drawn along time, earlier to later.
                a, b = entry, events[target]
                if b.card.sort_key() < a.card.sort_key():
                    a, b = b, a
                edges.append((a.id, b.id, rel))
    result = sorted(set(edges))
    book.memo["causal_edges"] = result
    return result


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """One cycle per strongly connected component (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, []))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, it = work[-1]
            advanced = False
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, [])))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1 or node in graph.get(node, []):
                    out.append(sorted(comp))
    return out


def check_causal_cycles(book: Book) -> Iterator[Problem]:
    graph: dict[str, list[str]] = {}
    for a, b, rel in causal_edges(book):
        if rel in FORWARD:  # the book's own relations are drawn along time: no cycle to find
            graph.setdefault(a, []).append(b)
    for comp in _cycles(graph):
        first = book.entries[comp[0]]
        doc = book.docs[first.base]
        yield _fm(book, doc.path, doc.fm.key_line("causal_connections"), "causal-cycle",
                  f"the causal graph has a cycle through {', '.join(comp)}", comp[0],
                  "causes must precede their effects: remove one relation")


@book_check
def check_embed_cycles(book: Book) -> Iterator[Problem]:
    """A card that embeds itself, directly or through others (every language's file counts)."""
    graph: dict[str, list[str]] = {}
    where: dict[tuple[str, str], Doc] = {}
    for doc in book.docs.values():
        owner = book.by_base.get(doc.base) if doc.embeds else None
        if owner is None or owner.kind == "page":
            continue
        for written in doc.embeds:
            ident = scanner.split_wiki(written)[0]
            target = book.entries.get(ident)
            if target is None or target.kind == "page":
                continue
            graph.setdefault(owner.id, []).append(ident)
            where.setdefault((owner.id, ident), doc)
    for comp in _cycles(graph):
        members = set(comp)
        for (a, b), doc in sorted(where.items(), key=lambda kv: kv[0]):
            if a in members and b in members:
                ref = next(r for r in doc.refs if r[0] == "embed" and scanner.split_wiki(r[1])[0] == b)
                yield _p(doc, ref, "error", "embed-cycle",
                         f"embedding '{b}' here makes a cycle of embeds through {', '.join(comp)}",
                         f"![[{b}]]", "the embed is shown as a link; link instead of embedding")
                break


@book_check(cached=True, also=lambda book: git_head(book.settings.root))  # staleness: git history
def check_translations(book: Book) -> Iterator[Problem]:
    """Warnings: a page or card with no translation, or one whose original changed since."""
    for st in statuses(book):
        if st.state == "missing":
            stem = st.base[:-3]
            yield _fm(book, st.base, 1, "missing-translation",
                      f"no {st.lang} translation ({stem}.{st.lang}.md); {st.lang} readers get this page",
                      st.base, f"write {stem}.{st.lang}.md; 'chronicle status' lists every missing translation",
                      severity="warning")
        elif st.state == "stale":
            yield _fm(book, st.translation, 1, "stale-translation",
                      f"{st.base} changed after this translation ({st.reason})", st.base,
                      "update the translation, then its translated_from", severity="warning")
