"""The book as data: every Markdown file of both trees, the id index and the bibliography.

No I/O here: `loading.load` reads the files (with the cache, in processes) and hands each
one's facts to this model, which indexes the ids and checks what a file's front matter says
about the book as a whole. The plugin and the checker get the same Book, never built from
MkDocs' objects.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from . import bilingual, cards, frontmatter, scanner
from .cache import FactCache
from .problems import Problem
from .settings import Settings

if TYPE_CHECKING:
    from .bibliography import Bibliography

Kind = Literal["event", "concept", "page"]
Tree = Literal["manuscript", "knowledge"]


# A reference as the checks need it: (kind, target, citation keys, offset). A plain tuple,
# not scanner.Ref: a book has ~100,000 of them, and marshal packs tuples as they are.
Site = scanner.Site


@dataclass(eq=False)
class Doc:
    """One Markdown file of the book, as the checks see it.

    What the checks need (references, anchors, title, fingerprint) are facts of the file's
    text alone, so they can come from the cache without the text being read; the text is
    read on demand (the renderer needs it, the checker does not). The references and link
    definitions, most of the facts by far, stay packed (marshal) until something asks for
    them: a check that reuses a file's earlier problems never unpacks them.
    """

    path: str  # relative to the project root, '/'-separated
    lang: str
    base: str  # the default-language file this is (a translation of)
    tree: Tree
    fm: frontmatter.FrontMatter
    packed: bytes  # marshal of (references as Sites, link definitions)
    anchors: set[str]  # every id the rendered page will have
    heading_title: str | None
    fingerprint: str
    embeds: tuple[str, ...] = ()  # what its ![[...]] embeds name, as written
    source: str = ""  # absolute path of the file
    # How the text is read when something asks for it (loading.read_text: this model reads nothing).
    reader: Callable[[str], str] | None = field(default=None, repr=False)
    unchanged: bool = False  # its facts came from the cache: the file is as the last run saw it
    _text: str | None = field(default=None, repr=False)
    _unpacked: tuple[list[Site], dict[str, str]] | None = field(default=None, repr=False)

    @property
    def refs(self) -> list[Site]:
        if self._unpacked is None:
            self._unpacked = marshal.loads(self.packed)
        return self._unpacked[0]

    @property
    def definitions(self) -> dict[str, str]:
        if self._unpacked is None:
            self._unpacked = marshal.loads(self.packed)
        return self._unpacked[1]

    @property
    def text(self) -> str:
        if self._text is None:
            if self.reader is None:
                raise ValueError(f"{self.path}: no text and no reader for it")
            self._text = self.reader(self.source)
        return self._text

    def position(self, ref: Site) -> tuple[int, int]:
        """Line and column of a reference (read from the text: only problems need them)."""
        return scanner.position(self.text, ref[3])

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
    # Set by loading.load, which reads it in parallel with the files: pybtex and the formats'
    # code are imported there, not before the readers start.
    bib: Bibliography = field(default=None)  # type: ignore[assignment]
    problems: list[Problem] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)  # symlinks not followed (see walk.py)
    # Each tree as walked: (folder, its files as in the repository, what the walk refused).
    walked: list[tuple[str, list[str], list[Problem]]] = field(default_factory=list, repr=False)
    _file_index: dict[str, Any] | None = field(default=None, repr=False)
    path_cache: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    cache: FactCache | None = field(default=None, repr=False)
    validated: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)  # cards validated while read
    probed: list[tuple[str, str]] = field(default_factory=list, repr=False)  # what resolve_link asked the disk
    memo: dict[str, Any] = field(default_factory=dict, repr=False)
    # Default-language files that hold other languages themselves: base -> those languages.
    bilingual: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def default(self) -> str:
        return self.settings.default_language

    def doc_in(self, base: str, lang: str) -> Doc:
        """The file a reader of LANG gets for BASE: its translation, else the original (else,
        for a translation whose original is missing or unreadable, any translation)."""
        versions = self.translations.get(base, {})
        path = versions.get(lang, base)
        if path not in self.docs and versions:
            path = versions[min(versions)]
        return self.docs[path]

    def holds(self, base: str, lang: str) -> bool:
        """Whether a reader of LANG gets BASE in LANG: the original, its translation, or a
        bilingual page (see bilingual.py). The one answer the checks, the status, the fallback
        notice, the marks on links and the search index all use."""
        return lang == self.default or lang in self.translations.get(base, {}) or \
            lang in self.bilingual.get(base, ())

    def has_translation(self, base: str, lang: str) -> bool:
        return self.holds(base, lang)

    def render_languages(self, doc: Doc) -> list[str]:
        """Languages whose site shows this file (an untranslated page stands in for its
        translation; a bilingual page is every language's)."""
        if doc.lang != self.default:
            return [doc.lang]
        versions = self.translations.get(doc.base, {})
        return [self.default] + [lang for lang in self.settings.other_languages if lang not in versions]

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
    title = doc.fm.data.get("title")
    return title if isinstance(title, str) and title else doc.heading_title


def split_lang(name: str, languages: list[str], default: str) -> tuple[str, str]:
    """`x.en.md` -> ('x.md', 'en'); `x.md` -> ('x.md', default)."""
    stem = name[:-3]
    head, dot, suffix = stem.rpartition(".")
    if dot and suffix in languages and suffix != default:
        return head + ".md", suffix
    return name, default


def fingerprint(text: str) -> str:
    """What a translation's `translated_from` records: the start of the original's SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def card_kind(settings: Settings, path: str, data: dict[str, Any]) -> cards.CardKind | None:
    """What a default-language file is: an event card, a concept card, or (None) a page."""
    if "event_id" in data:
        return "event"
    if "concept_id" in data:
        return "concept"
    folder = settings.card_folder(path)
    if folder is not None:
        # A card without its id field is known by the folder it is in.
        sub = path[len(folder) + 1:]
        if sub.startswith("events/"):
            return "event"
        if sub.startswith("concepts/"):
            return "concept"
    return None


def index(book: Book) -> None:
    """Index the ids of BOOK's files (read by loading.load) and check their front matter."""
    s = book.settings
    default = s.default_language
    claims: dict[str, list[tuple[Entry, str]]] = {}
    folders_seen: set[str] = set()
    # A folder's index page comes first, so it is the one its folder's name identifies.
    originals = sorted(
        (p for p, d in book.docs.items() if d.lang == default),
        key=lambda p: (p.rpartition("/")[0], p.rpartition("/")[2] not in ("index.md", "README.md"), p),
    )
    for doc in book.docs.values():
        _check_front_matter(book, doc)
        if doc.lang == default and not doc.fm.error:
            line = doc.fm.line_of("languages") if "languages" in doc.fm.data else 1
            held, problems = bilingual.declared(doc.path, doc.fm.data, line, docs_dir=s.docs_dir,
                                                globs=s.bilingual, languages=s.languages, default=default)
            book.problems += problems
            if held:
                book.bilingual[doc.path] = held
    for path in originals:
        doc = book.docs[path]
        if doc.fm.error:
            continue
        data = doc.fm.data
        entry: Entry | None = None
        kind = card_kind(s, path, data)
        if kind is not None:
            entry = _card(book, doc, kind, f"{kind}_id")
        else:
            page_id = data.get("id")
            titles = {lang: _page_title(book.doc_in(doc.base, lang)) or doc.stem for lang in s.languages}
            if path in book.bilingual:  # its own title in each language it holds (not translated)
                held = [lang for lang in s.languages if lang == default or (
                    lang in book.bilingual[path] and lang not in book.translations.get(path, {}))]
                titles.update(bilingual.titles(data, doc.heading_title, held, s.languages))
            if page_id is not None:
                if not isinstance(page_id, str) or not cards.SLUG_RE.match(page_id):
                    book.error(path, doc.fm.line_of("id"), "frontmatter-field",
                               f"field 'id': {_shown(page_id)} is not a slug",
                               hint="an id is letters, digits, '.', '_' and '-', such as 'gpt-era'")
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


def card_key(settings: Settings, kind: str) -> str:
    """What a card's validation depends on besides its front matter."""
    return f"{kind} {' '.join(settings.languages)} {settings.schema.digest()}"


def _card(book: Book, doc: Doc, kind: cards.CardKind, id_field: str) -> Entry | None:
    s = book.settings
    data = doc.fm.data
    # Validation is a function of the front matter and the languages: an unchanged card's
    # result comes from the cache, so checking an unchanged book never imports pydantic.
    key = card_key(s, kind)
    result = book.cache.card(doc.path, key) if book.cache is not None else None
    if result is None:
        result = book.validated.get((doc.path, key)) or cards.validate(
            kind, cards.split_localized(data, s.languages)[0], doc.fm, s.schema)
        if book.cache is not None:
            book.cache.put_card(doc.path, key, result)
    localized: dict[str, dict] | None = None  # the `title_en`-style keys, taken out when a title needs them
    card = cards.make(kind, result, s.schema)
    for line, column, severity, code, msg, hint in result[1]:
        book.problems.append(Problem(doc.path, line, column, severity, code, msg, "", hint))  # type: ignore[arg-type]
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
            title = tdoc.fm.data.get("title")
            title = title if isinstance(title, str) else None  # else reported by _check_front_matter
        if lang == s.default_language:
            title = card.title if kind == "event" else (card.title or card.concept_name_zh)
        if not title:
            if localized is None:
                localized = cards.split_localized(data, s.languages)[1]
            title = _text_or_none(localized.get(lang, {}).get("title"))
        if kind == "concept" and not title:
            title = getattr(card, f"concept_name_{lang}", None)
        if not title and trans_path:
            title = book.docs[trans_path].heading_title
        if title:
            titles[lang] = str(title)
    if kind == "concept" and s.default_language not in titles:
        titles[s.default_language] = doc.heading_title or ident
    return Entry(ident, kind, doc.path, titles, card=card, id_field=id_field if id_field in data else "")


_TEXT_FIELDS = ("title", "organization", "concept_name", "summary")


def _check_front_matter(book: Book, doc: Doc) -> None:
    """What is wrong with a file's front matter as YAML, and with the fields every kind of
    file may have: its title, a translation's own fields, a card's `title_en`-style keys (a
    card's other fields are the schema's: see _card)."""
    fm, path = doc.fm, doc.path
    if fm.error:
        book.error(path, fm.error_line, "frontmatter-yaml", fm.error,
                   hint=fm.hint or "fix the YAML between the '---' lines")
        return
    for key, line, first in fm.duplicates:
        book.error(path, line, "duplicate-key", f"key '{key}' is given twice (first on line {first})",
                   target=key, hint="YAML keeps only the last one: delete the other")
    s = book.settings
    data = fm.data
    if doc.lang != s.default_language:
        if doc.base not in book.files:
            name = posixpath.basename(doc.base)
            book.problems.append(Problem(
                path, 1, 1, "warning", "orphan-translation",
                f"a translation of {doc.base}, which does not exist", doc.base, f"rename it {name}, or add {name}"))
        recorded = data.get("translated_from")
        if recorded is not None and (isinstance(recorded, bool) or not isinstance(recorded, (str, int))):
            book.error(path, fm.line_of("translated_from"), "frontmatter-field",
                       f"field 'translated_from': {_shown(recorded)} is not a fingerprint",
                       hint=f"run 'chronicle fingerprint {doc.base}' and copy what it prints")
        fields = [k for k in _TEXT_FIELDS if k in data] if doc.tree == "knowledge" else []
    elif card_kind(s, path, data) is None:
        fields = []
    else:  # a card: the schema checks its fields, but not the localized keys split off before
        fields = [k for k in _localized_keys(tuple(s.languages)) if k in data]
    for key in fields:
        value = data[key]
        if value is not None and not isinstance(value, str):
            book.error(path, fm.line_of(key), "frontmatter-field",
                       f"field '{key}': {_shown(value)} is not text",
                       hint=f"write it as text; quote it if it must look like this: {key}: \"...\"")
    if doc.tree == "manuscript" or card_kind(s, doc.base, book.docs[doc.base].fm.data if doc.base in book.docs
                                              else {}) is None:
        # A card's own fields are the schema's, and it has none of these; a page's are the theme's.
        for key, expected in frontmatter.theme_field_errors(data):
            value = data[key]
            hint = f"quote it: {key}: \"...\"" if expected == "text" else f"write {expected}"
            book.error(path, fm.line_of(key), "frontmatter-field",
                       f"field '{key}': {_shown(value)} is not {expected}", hint=hint)


@functools.cache
def _localized_keys(languages: tuple[str, ...]) -> tuple[str, ...]:
    """The keys cards.split_localized takes out of a card: `title_en`, `organization_en`..."""
    return tuple(f"{base}_{lang}" for base in ("title", "organization") for lang in languages)


def _shown(value: Any) -> str:
    """A value of the wrong type, shortly (it may be a whole nested list)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _check_translation(book: Book, original: Doc, translation: Doc) -> None:
    """Structural fields never disagree between a card and its translation."""
    if translation.fm.error:
        return  # reported by _check_front_matter
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
