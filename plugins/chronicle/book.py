"""The book as data: every Markdown file of both trees, the id index and the bibliography.

Built once per build (or per `chronicle check`) from the files on disk, never from
MkDocs' objects, so the checker and the plugin see the same book.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from . import bibliography, cards, frontmatter, scanner
from .problems import Problem
from .settings import Settings, default_slugify

Kind = Literal["event", "concept", "page"]
Tree = Literal["manuscript", "knowledge"]


@dataclass
class Doc:
    """One Markdown file of the book."""

    path: str  # relative to the project root, '/'-separated
    lang: str
    base: str  # the default-language file this is (a translation of)
    tree: Tree
    text: str
    fm: frontmatter.FrontMatter

    @cached_property
    def scan(self) -> scanner.Scan:
        return scanner.scan(self.text, self.fm.body_offset)

    _anchors: set[str] | None = field(default=None, repr=False)

    def anchors(self, settings: Settings) -> set[str]:
        if self._anchors is None:
            self._anchors = scanner.anchors(self.scan, settings.slugify or default_slugify)
        return self._anchors

    @cached_property
    def heading_title(self) -> str | None:
        return scanner.first_heading(self.scan)

    @property
    def stem(self) -> str:
        return posixpath.basename(self.base)[: -len(".md")]


@dataclass
class Entry:
    """Something with an id: a card or a page."""

    id: str
    kind: Kind
    base: str
    titles: dict[str, str]
    card: Any = None  # EventCard | ConceptCard
    id_field: str = ""  # the front-matter field that declares the id, if any

    def title(self, lang: str, default: str) -> str:
        return self.titles.get(lang) or self.titles.get(default) or self.id


@dataclass
class Book:
    """Everything the checks and the renderers need, keyed by repository path."""

    settings: Settings
    docs: dict[str, Doc] = field(default_factory=dict)
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)
    entries: dict[str, Entry] = field(default_factory=dict)
    by_base: dict[str, Entry] = field(default_factory=dict)
    bib: bibliography.Bibliography = field(default_factory=bibliography.Bibliography)
    problems: list[Problem] = field(default_factory=list)
    _file_index: dict[str, Any] | None = field(default=None, repr=False)
    path_cache: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    memo: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def default(self) -> str:
        return self.settings.default_language

    def doc_in(self, base: str, lang: str) -> Doc:
        """The file a reader of LANG gets for BASE: its translation, else the original."""
        path = self.translations.get(base, {}).get(lang, base)
        return self.docs[path]

    def has_translation(self, base: str, lang: str) -> bool:
        return lang == self.default or lang in self.translations.get(base, {})

    def render_languages(self, doc: Doc) -> list[str]:
        """Languages whose site shows this file (an untranslated page stands in for its translation)."""
        if doc.lang != self.default:
            return [doc.lang]
        return [self.default] + [
            lang for lang in self.settings.other_languages if not self.has_translation(doc.base, lang)
        ]

    def title(self, base: str, lang: str) -> str:
        entry = self.by_base.get(base)
        if entry is not None:
            return entry.title(lang, self.default)
        doc = self.doc_in(base, lang)
        return _page_title(doc) or doc.stem

    def events(self) -> list[Entry]:
        return [e for e in self.entries.values() if e.kind == "event"]

    def concepts(self) -> list[Entry]:
        return [e for e in self.entries.values() if e.kind == "concept"]

    def file_index(self) -> dict[str, Any]:
        """Lookups for near-miss suggestions, built on first use."""
        if self._file_index is None:
            lower: dict[str, str] = {}
            names: dict[str, list[str]] = {}
            folders: dict[str, list[str]] = {}
            for f in sorted(self.files):
                lower.setdefault(f.lower(), f)
                folder, name = posixpath.split(f)
                names.setdefault(name, []).append(f)
                folders.setdefault(folder, []).append(name)
            self._file_index = {"lower": lower, "names": names, "folders": folders}
        return self._file_index

    def error(self, path: str, line: int, code: str, message: str, target: str = "", hint: str = "") -> None:
        self.problems.append(Problem(path, line, 1, "error", code, message, target, hint))


def _page_title(doc: Doc) -> str | None:
    title = doc.fm.data.get("title") if isinstance(doc.fm.data, dict) else None
    return str(title) if title else doc.heading_title


def _split_lang(name: str, languages: list[str], default: str) -> tuple[str, str]:
    """`x.en.md` -> ('x.md', 'en'); `x.md` -> ('x.md', default)."""
    stem = name[:-3]
    head, dot, suffix = stem.rpartition(".")
    if dot and suffix in languages and suffix != default:
        return head + ".md", suffix
    return name, default


def _walk(root: Path, rel: str) -> list[str]:
    """Files of a tree; a symlink that leads outside the project is never followed or read."""
    out: list[str] = []
    if not (root / rel).is_dir():
        return out
    real_root = os.path.realpath(root)
    # Plain strings, not Path objects: on thousands of files pathlib's parsing shows up.
    stack = [(os.path.join(str(root), rel), rel.replace(os.sep, "/"))]
    while stack:
        folder, rel_folder = stack.pop()
        with os.scandir(folder) as it:
            for entry in it:
                if entry.name.startswith("."):
                    continue
                if entry.is_symlink():
                    real = os.path.realpath(entry.path)
                    if real != real_root and not real.startswith(real_root + os.sep):
                        continue
                rel_path = f"{rel_folder}/{entry.name}"
                if entry.is_dir():
                    stack.append((entry.path, rel_path))
                else:
                    out.append(rel_path)
    return out


def _read(root: Path, tree: str, path: str, settings: Settings) -> Doc | str:
    folder, _, name = path.rpartition("/")
    base_name, lang = _split_lang(name, settings.languages, settings.default_language)
    base = f"{folder}/{base_name}" if folder else base_name
    try:
        with open(os.path.join(root, path), encoding="utf-8") as fh:
            text = fh.read()
    except UnicodeDecodeError as exc:
        return f"not UTF-8 text: {exc.reason}"
    return Doc(path, lang, base, tree, text, frontmatter.parse(text))  # type: ignore[arg-type]


def load(settings: Settings) -> Book:
    """Read both trees, index ids and validate every card's front matter."""
    book = Book(settings)
    root = settings.root
    items: list[tuple[str, str]] = []
    for tree, rel in (("manuscript", settings.docs_dir), ("knowledge", settings.knowledge_dir)):
        for path in _walk(root, rel):
            book.files.add(path)
            if path.endswith(".md"):
                items.append((tree, path))
    for tree, path in items:
        doc = _read(root, tree, path, settings)
        if isinstance(doc, str):
            book.error(path, 1, "frontmatter-yaml", doc)
            continue
        book.docs[path] = doc
        if doc.lang != settings.default_language:
            book.translations.setdefault(doc.base, {})[doc.lang] = path
    book.bib = bibliography.load(root, settings.bibliography)
    if book.bib.error:
        book.error(settings.bibliography, book.bib.error_line, "bibliography", book.bib.error)
    _index(book)
    return book


def _index(book: Book) -> None:
    s = book.settings
    default = s.default_language
    claims: dict[str, list[tuple[Entry, str]]] = {}
    folders_seen: set[str] = set()
    events_dir = f"{s.knowledge_dir}/events/"
    concepts_dir = f"{s.knowledge_dir}/concepts/"
    # A folder's index page comes first, so it is the one its folder's name identifies.
    originals = sorted(
        (p for p, d in book.docs.items() if d.lang == default),
        key=lambda p: (posixpath.dirname(p), posixpath.basename(p) not in ("index.md", "README.md"), p),
    )
    for path in originals:
        doc = book.docs[path]
        if doc.fm.error:
            book.error(path, doc.fm.error_line, "frontmatter-yaml", doc.fm.error,
                       hint="fix the YAML between the '---' lines")
            continue
        data = doc.fm.data
        entry: Entry | None = None
        if path.startswith(events_dir) or "event_id" in data:
            entry = _card(book, doc, cards.EventCard, "event", "event_id")
        elif path.startswith(concepts_dir) or "concept_id" in data:
            entry = _card(book, doc, cards.ConceptCard, "concept", "concept_id")
        else:
            page_id = data.get("id")
            titles = {lang: _page_title(book.doc_in(doc.base, lang)) or doc.stem for lang in s.languages}
            if page_id is not None:
                if not isinstance(page_id, str) or not cards.SLUG_RE.match(page_id):
                    book.error(path, doc.fm.line_of("id"), "frontmatter-field",
                               f"field 'id': {page_id!r} is not a slug")
                else:
                    entry = Entry(page_id, "page", path, titles, id_field="id")
                    claims.setdefault(page_id, []).append((entry, path))
            # A chapter folder's name is the id of its first page.
            folder = posixpath.dirname(path)
            if doc.tree == "manuscript" and folder != s.docs_dir and folder not in folders_seen:
                folders_seen.add(folder)
                chapter = Entry(posixpath.basename(folder), "page", path, titles)
                claims.setdefault(chapter.id, []).append((chapter, path))
                book.by_base.setdefault(path, chapter)
            if entry is None:
                book.by_base.setdefault(path, Entry(doc.stem, "page", path, titles))
            continue
        if entry is not None:
            claims.setdefault(entry.id, []).append((entry, path))
            book.by_base[path] = entry
    for ident, owners in claims.items():
        first = owners[0][0]
        paths = sorted({p for _, p in owners})
        if len(paths) > 1:
            # Reported in every file that claims it: whichever is renamed, the author sees both.
            for entry, path in owners:
                others = ", ".join(p for p in paths if p != path)
                line = book.docs[path].fm.line_of(entry.id_field) if entry.id_field else 1
                book.error(path, line, "duplicate-id", f"id '{ident}' is also claimed by {others}",
                           target=ident, hint="ids are unique across the book: rename one")
        book.entries[ident] = first


def _card(book: Book, doc: Doc, model: type, kind: Kind, id_field: str) -> Entry | None:
    s = book.settings
    data, localized = cards.split_localized(doc.fm.data, s.languages)
    card, errors = cards.validate(model, data, doc.fm)
    for line, msg in errors:
        book.error(doc.path, line, "frontmatter-field", msg, hint=f"see the {kind} card schema in design.md")
    if card is None:
        return None
    ident = getattr(card, id_field) or doc.stem
    titles: dict[str, str] = {}
    for lang in s.languages:
        title = None
        trans_path = book.translations.get(doc.base, {}).get(lang)
        if trans_path:
            tdoc = book.docs[trans_path]
            _check_translation(book, doc, tdoc)
            title = tdoc.fm.data.get("title") if not tdoc.fm.error else None
        if lang == s.default_language:
            title = card.title if kind == "event" else (card.title or card.concept_name_zh)
        title = title or localized.get(lang, {}).get("title")
        if kind == "concept" and not title:
            title = getattr(card, f"concept_name_{lang}", None)
        if not title and trans_path:
            title = book.docs[trans_path].heading_title
        if title:
            titles[lang] = str(title)
    if kind == "concept" and s.default_language not in titles:
        titles[s.default_language] = doc.heading_title or ident
    return Entry(ident, kind, doc.path, titles, card=card, id_field=id_field if id_field in data else "")


def _check_translation(book: Book, original: Doc, translation: Doc) -> None:
    """Structural fields never disagree between a card and its translation."""
    if translation.fm.error:
        book.error(translation.path, translation.fm.error_line, "frontmatter-yaml", translation.fm.error)
        return
    for key, value in translation.fm.data.items():
        if key in cards.LOCALIZED_FIELDS:
            continue
        if key not in original.fm.data:
            book.error(translation.path, translation.fm.line_of(key, "__key__"), "translation-mismatch",
                       f"field '{key}' is structural: set it in {original.path}, not in the translation")
        elif _norm(original.fm.data[key]) != _norm(value):
            book.error(translation.path, translation.fm.line_of(key), "translation-mismatch",
                       f"field '{key}' disagrees with {original.path}",
                       hint="structural fields live in the default-language file; delete it here")


def _norm(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_norm(v) for v in value]
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    return frontmatter.date_text(value)
