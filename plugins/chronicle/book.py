"""The book as data: every Markdown file of both trees, the id index and the bibliography.

Built once per build (or per `chronicle check`) from the files on disk, never from
MkDocs' objects, so the checker and the plugin see the same book.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from . import __version__, bibliography, cards, confine, frontmatter, scanner
from .cache import FactCache, stat_key
from .parallel import fork_map, will_fork
from .problems import Problem
from .settings import Settings, Slugify, default_slugify

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
            with open(self.source, encoding="utf-8-sig") as fh:  # as MkDocs reads it
                self._text = fh.read()
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
    bib: bibliography.Bibliography = field(default_factory=bibliography.Bibliography)
    problems: list[Problem] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)  # symlinks not followed (see _walk)
    _file_index: dict[str, Any] | None = field(default=None, repr=False)
    path_cache: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    cache: FactCache | None = field(default=None, repr=False)
    validated: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)  # cards validated while read
    probed: list[tuple[str, str]] = field(default_factory=list, repr=False)  # what resolve_link asked the disk
    memo: dict[str, Any] = field(default_factory=dict, repr=False)

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
    title = doc.fm.data.get("title")
    return title if isinstance(title, str) and title else doc.heading_title


def _split_lang(name: str, languages: list[str], default: str) -> tuple[str, str]:
    """`x.en.md` -> ('x.md', 'en'); `x.md` -> ('x.md', default)."""
    stem = name[:-3]
    head, dot, suffix = stem.rpartition(".")
    if dot and suffix in languages and suffix != default:
        return head + ".md", suffix
    return name, default


def _walk(root: Path, rel: str, problems: list[Problem] | None = None) -> list[str]:
    """Files of a tree. A symlink is followed only while it stays inside the project (see
    confine.py); one that leads outside, in a cycle or nowhere is reported in PROBLEMS and
    neither followed nor read, so nothing from outside the project reaches the book or the site."""
    out: list[str] = []
    if not (root / rel).is_dir():
        return out
    real_root = confine.real(root)
    # Plain strings, not Path objects: on thousands of files pathlib's parsing shows up. Each
    # folder carries the real paths of the folders above it: a link back to one is a cycle.
    stack = [(os.path.join(str(root), rel), rel.replace(os.sep, "/"), (confine.real(root / rel),))]
    while stack:
        folder, rel_folder, above = stack.pop()
        with os.scandir(folder) as it:
            for entry in it:
                if entry.name.startswith("."):
                    continue
                rel_path = f"{rel_folder}/{entry.name}"
                real = None
                if entry.is_symlink():
                    real = confine.real(entry.path)
                    problem = _link_problem(rel_path, os.readlink(entry.path), real, real_root, above)
                    if problem is not None:
                        if problems is not None:
                            problems.append(problem)
                        continue
                if entry.is_dir():
                    stack.append((entry.path, rel_path, (*above, real or f"{above[-1]}{os.sep}{entry.name}")))
                else:
                    out.append(rel_path)
    return out


def _link_problem(rel_path: str, written: str, real: str, real_root: str, above: tuple[str, ...]) -> Problem | None:
    if not confine.within(real_root, real):
        return Problem(rel_path, 1, 1, "error", "outside-project",
                       f"{rel_path} is a symlink to {written}, outside the project: its files are not part "
                       "of the book and are not published", written,
                       "copy the files into the project, or delete the link")
    if not os.path.exists(real):
        return Problem(rel_path, 1, 1, "error", "missing-file",
                       f"{rel_path} is a symlink to {written}, which does not exist", written,
                       "fix the link's target, or delete the link")
    if os.path.isdir(real) and any(confine.within(real, folder) for folder in above):
        return Problem(rel_path, 1, 1, "error", "outside-project",
                       f"{rel_path} is a symlink to {written}, a folder that holds the link itself: "
                       "following it would read the same files again, without end", written,
                       "delete the link; link to the files with relative links instead")
    return None


def fingerprint(text: str) -> str:
    """What a translation's `translated_from` records: the start of the original's SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def content_digest(data: bytes) -> bytes:
    """What the cache knows a file's content by: its SHA-256 (which the CPU computes in
    hardware on most machines, twice as fast as BLAKE2 here); its start, as hex, is the
    fingerprint of a text whose bytes are its UTF-8."""
    return hashlib.sha256(data).digest()


# facts: ((data, raw, body_offset, end_line, error, error_line, hint, duplicates), packed (refs as Sites,
#         definitions), anchors, heading title, fingerprint, embeds).
Facts = tuple[tuple[Any, ...], bytes, set[str], "str | None", str, tuple[str, ...]]


def facts_of(text: str, slugify: Slugify, fp: str | None = None) -> Facts:
    """Everything the checks need from one file, a function of its text alone (FP, if given,
    is the text's fingerprint, worked out from the bytes as read)."""
    fm = frontmatter.parse(text)
    sites, definitions, anchors, title = scanner.facts(text, fm.body_offset, slugify)
    if fp is None:
        fp = fingerprint(text)
    return (
        (fm.data, fm.raw, fm.body_offset, fm.end_line, fm.error, fm.error_line, fm.hint, fm.duplicates),
        marshal.dumps((sites, definitions)), anchors, title, fp,
        tuple(site[1] for site in sites if site[0] == "embed"),
    )


# The facts of a file (marshal: what the cache keeps, made where the file was read, so that
# neither the pipe from a worker nor the cache's writer has to encode them again; None: as
# recorded), its text, the digest of its bytes, its size and time as they were read, the
# facts themselves (None where they would have to be sent: the receiver unpacks them), and
# what validating the card gave, if it is a card this process could validate.
Read = tuple["bytes | None", str, bytes, tuple[int, int], "Facts | None", "cards.Result | None"]


def read_file(path: str) -> tuple[bytes, tuple[int, int]]:
    """The whole file, in as few system calls as it takes (a file object and its buffer cost
    more than the read itself on a book of thousands of small files), and its size and
    modification time (ns) before it was read, as the cache records them."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        st = os.fstat(fd)
        size = st.st_size
        data = os.read(fd, size + 1)  # one more byte than the size: EOF is seen at once
        if len(data) > size:
            chunks = [data]
            while data:  # it grew while we read it
                data = os.read(fd, 1 << 16)
                chunks.append(data)
            data = b"".join(chunks)
        return data, (size, st.st_mtime_ns)
    finally:
        os.close(fd)


def _read_facts(source: str, slugify: Slugify, recorded: bytes) -> Read | Undecodable:
    """Facts of one file, or None for them if its content has the digest RECORDED."""
    data, st = read_file(source)
    digest = content_digest(data)
    if digest == recorded:
        return None, "", digest, st, None, None  # a checkout or a touch changed its time, not its content
    try:
        text = _text(data)
    except UnicodeDecodeError as exc:
        return _undecodable(data, exc)
    # The bytes are the text's UTF-8 unless newlines were translated or a BOM dropped.
    fp = digest.hex()[:12] if b"\r" not in data and not data.startswith(_BOM) else None
    facts = facts_of(text, slugify, fp)
    return marshal.dumps(facts), text, digest, st, facts, None


_BOM = b"\xef\xbb\xbf"
# A file that is not UTF-8: (line, column, message) of its first bad byte.
Undecodable = tuple[int, int, str]


def _text(data: bytes) -> str:
    """The text of a file as MkDocs reads it: without a UTF-8 BOM, newlines as \\n."""
    text = data.decode("utf-8-sig")
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _undecodable_result(result: Any) -> bool:
    return isinstance(result[0], int)


def _undecodable(data: bytes, exc: UnicodeDecodeError) -> Undecodable:
    start = exc.start
    line_start = data.rfind(b"\n", 0, start) + 1
    line = data.count(b"\n", 0, start) + 1
    column = len(data[line_start:start].decode("utf-8", "replace")) + 1
    byte = data[start:start + 1].hex()
    return line, column, f"not UTF-8 text: byte 0x{byte} ({exc.reason})"


_FORK_MINIMUM = 200  # files per process below which reading them here beats a fork


# What to read: the file, the digest of its content on record (b"" if none), and whether it
# is a card (its kind) or not (None).
Wanted = tuple[str, bytes, "cards.CardKind | None"]


def _read_many(sources: list[Wanted], slugify: Slugify, jobs: int, first: Callable[[], None],
               validate: Callable[[cards.CardKind, Facts], cards.Result | None]) -> list[Read | Undecodable]:
    """Read and scan files, in JOBS processes when there are enough to pay for a fork; FIRST
    runs in this process meanwhile (see parallel.fork_map). The cards come last in SOURCES:
    this process takes them first, and VALIDATE (once FIRST has imported the schema) checks
    each one it reads against the schema there and then, with the front matter just parsed."""
    if jobs <= 1:
        first()
        return [_read_facts(s, slugify, d) for s, d, _kind in sources]

    parent = os.getpid()

    def facts_only(part: Sequence[Wanted]) -> list[Read | Undecodable]:
        # Texts are not kept: the checker does not need them (a Doc reads its text on demand),
        # and sending them back from a child costs more than reading them again. A child sends
        # the packed facts only; this process keeps the facts it made, not to unpack them again.
        out: list[Read | Undecodable] = []
        here = os.getpid() == parent
        for source, digest, kind in part:
            r = _read_facts(source, slugify, digest)
            if _undecodable_result(r):
                out.append(r)
            elif not here:
                out.append((r[0], "", r[2], r[3], None, None))
            else:
                facts = r[4]
                out.append((r[0], "", r[2], r[3], facts, validate(kind, facts) if kind and facts else None))
        return out

    cards_last = sum(1 for _s, _d, kind in sources if kind)
    return fork_map(facts_only, sources, jobs, minimum=_FORK_MINIMUM, first=first, parent_first=cards_last)


def _doc(path: str, tree: str, source: str, facts: Facts, text: str | None, settings: Settings) -> Doc:
    folder, _, name = path.rpartition("/")
    base_name, lang = _split_lang(name, settings.languages, settings.default_language)
    base = f"{folder}/{base_name}" if folder else base_name
    _fm, packed, anchors, title, fp, embeds = facts
    return Doc(path, lang, base, tree, _front_matter(facts), packed, anchors, title, fp,  # type: ignore[arg-type]
               embeds, source=source, _text=text or None)


def _front_matter(facts: Facts) -> frontmatter.FrontMatter:
    """The front matter as facts_of recorded it (FrontMatter's fields, in their order)."""
    return frontmatter.FrontMatter(*facts[0])


def cache_key(settings: Settings) -> str:
    """What cached facts and problems depend on besides the files: the code that made them
    (the package's source, so an edited scanner or check never meets results of the old
    one) and the slugify."""
    slugify = settings.slugify or default_slugify
    func = getattr(slugify, "func", slugify)
    name = f"{getattr(func, '__module__', '')}.{getattr(func, '__qualname__', repr(func))}"
    kwargs = sorted((getattr(slugify, "keywords", None) or {}).items())
    code = hashlib.blake2b(digest_size=16)
    here = Path(__file__).parent
    for module in sorted(os.listdir(here)):
        if module.endswith(".py"):
            code.update(module.encode() + b"\0" + (here / module).read_bytes())
    return f"{__version__} {code.hexdigest()} {name} {kwargs!r}"


def load(settings: Settings, *, use_cache: bool = True, jobs: int = 1,
         prepare: Callable[[FactCache], None] | None = None) -> Book:
    """Read both trees, index ids and validate every card's front matter.

    Files unchanged since the last run come from the cache (see cache.py); the rest are
    read, parsed and scanned, in JOBS processes if asked. While other processes read files,
    this one reads the bibliography, imports the card schema if a card is to be validated,
    and runs PREPARE (the CLI validates the plugin's options there): each is a tenth or two
    of a second that would otherwise come before or after the reading. The cache is written
    by the checks (checks.check), which add what they found to it.
    """
    book = Book(settings)
    root = str(settings.root)
    folder = settings.cache_dir if use_cache else ""
    store = FactCache(settings.root / folder if folder else None, cache_key(settings))
    book.cache = store if folder else None
    slugify = settings.slugify or default_slugify
    items: list[tuple[str, str, str]] = []
    for rel in settings.trees:
        tree = "manuscript" if rel == settings.docs_dir else "knowledge"
        walked: list[Problem] = []
        for path in _walk(settings.root, rel, walked):
            book.files.add(path)
            if path.endswith(".md"):
                items.append((tree, path, os.path.join(root, path)))
        book.problems.extend(walked)
        book.refused.update(p.file for p in walked)
    found: list[tuple[bytes, str, Facts | None] | Undecodable | None] = [None] * len(items)
    misses: list[int] = []
    if store.old:
        for i, (_tree, path, source) in enumerate(items):
            st = stat_key(source)
            packed = store.get(path, st) if st else None
            if packed is None:
                misses.append(i)
            else:
                found[i] = (packed, "", None)
    else:  # nothing recorded: no file needs a stat before it is read
        misses = list(range(len(items)))
    missed = set(misses)
    # Cards (of the default language) go last: the process that imports the schema reads
    # them first and validates each with the front matter it has just parsed (see _read_many).
    kinds: dict[int, cards.CardKind] = {}
    for i in misses:
        path = items[i][1]
        kind = _card_kind(settings, path, {})
        if kind is not None and _split_lang(path, settings.languages, settings.default_language)[1] \
                == settings.default_language:
            kinds[i] = kind
    misses = [i for i in misses if i not in kinds] + [i for i in misses if i in kinds]
    # With other processes to read files, this one imports the card schema meanwhile if a card
    # the cache has never seen is to be validated (pydantic and the models take a tenth of a
    # second). A known card whose time changed, as after a checkout, most likely has the
    # content its cached result was made from: no import for it unless it has not.
    new_card = jobs > 1 and any(not store.digest(items[i][1]) for i in kinds)
    schema_ready = False

    def first() -> None:
        nonlocal schema_ready
        if prepare is not None:
            prepare(store)
        book.bib = _load_bibliography(settings, store)
        if new_card:
            cards.prepare()
            schema_ready = True
        if will_fork(len(misses), jobs, _FORK_MINIMUM):
            # Built here, it is shared by the processes that check files (each would build
            # its own, if a link proves broken and wants a near-miss suggestion).
            book.file_index()

    def validate(kind: cards.CardKind, facts: Facts) -> cards.Result | None:
        fm = _front_matter(facts)
        if not schema_ready or fm.error:
            return None
        return cards.validate(kind, cards.split_localized(fm.data, settings.languages)[0], fm, settings.schema)

    wanted = [(items[i][2], store.digest(items[i][1]), kinds.get(i)) for i in misses]
    results = dict(zip(misses, _read_many(wanted, slugify, jobs, first, validate), strict=True))
    for i in misses:
        result = results[i]
        path = items[i][1]
        if _undecodable_result(result):
            found[i] = result
            continue
        packed, text, digest, st, facts, validated = result
        if validated is not None:
            book.validated[(path, _card_key(settings, kinds[i]))] = validated
        if packed is None:
            packed = store.revalidate(path, st)
            missed.discard(i)
        else:
            store.put(path, st, packed, digest)
        found[i] = (packed, text, facts)
    for i, ((tree, path, source), result) in enumerate(zip(items, found, strict=True)):
        assert result is not None
        if _undecodable_result(result):
            line, column, message = result
            book.problems.append(Problem(path, line, column, "error", "encoding", message,
                                         hint="save the file as UTF-8"))
            continue
        doc = _doc(path, tree, source, result[2] or marshal.loads(result[0]), result[1], settings)
        doc.unchanged = i not in missed
        book.docs[path] = doc
        if doc.lang != settings.default_language:
            book.translations.setdefault(doc.base, {})[doc.lang] = path
    for file, line, message in book.bib.errors:
        book.error(file, line, "bibliography", message)
    _index(book)
    return book


_NO_FRONT_MATTER = "---\n{}\n---\n"  # what MkDocs reads as an empty one


def source_for_mkdocs(book: Book, path: str) -> str | None:
    """The text MkDocs should render for PATH where its own reading would fail or is not to
    be trusted, else None (MkDocs reads the file itself): a file that is not UTF-8, decoded
    with its bad bytes replaced, and a file whose front matter was refused, without it."""
    doc = book.docs.get(path)
    if doc is not None:
        return _NO_FRONT_MATTER + doc.text[doc.fm.body_offset:] if doc.fm.error else None
    if path not in book.files or not path.endswith(".md"):
        return None
    try:
        data, _st = read_file(confine.readable(book.settings.root, path))
    except (OSError, confine.Outside):
        return None  # MkDocs reads it, and says what is wrong
    text = data.decode("utf-8", "replace").removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    fm = frontmatter.parse(text)
    return _NO_FRONT_MATTER + text[fm.body_offset:] if fm.error else text


def _card_kind(settings: Settings, path: str, data: dict[str, Any]) -> cards.CardKind | None:
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


def _load_bibliography(settings: Settings, store: FactCache) -> bibliography.Bibliography:
    """The bibliography files, merged; each one's keys and tiers from the cache while the file
    is as recorded."""
    return bibliography.merge([_load_bibliography_file(settings, store, rel) for rel in settings.bibliographies])


def _load_bibliography_file(settings: Settings, store: FactCache, rel: str) -> bibliography.Source:
    # Under a name of its own: a Markdown bibliography is also a page, with facts of its own.
    name = "\0bib\0" + rel
    source = os.path.join(settings.root, rel)
    st = stat_key(source)
    if st is None:
        return bibliography.load_file(settings.root, rel)
    summary = store.get(name, st)
    if summary is None:
        try:
            with open(source, "rb") as fh:
                digest = content_digest(fh.read())
        except OSError:
            return bibliography.load_file(settings.root, rel)
        if digest == store.digest(name):
            summary = store.revalidate(name, st)
        else:
            src = bibliography.load_file(settings.root, rel)
            store.put(name, st, marshal.dumps(src.summary()), digest)
            return src
    return bibliography.load_file(settings.root, rel, marshal.loads(summary))


def _index(book: Book) -> None:
    s = book.settings
    default = s.default_language
    claims: dict[str, list[tuple[Entry, str]]] = {}
    folders_seen: set[str] = set()
    # A folder's index page comes first, so it is the one its folder's name identifies.
    originals = sorted(
        (p for p, d in book.docs.items() if d.lang == default),
        key=lambda p: (posixpath.dirname(p), posixpath.basename(p) not in ("index.md", "README.md"), p),
    )
    for doc in book.docs.values():
        _check_front_matter(book, doc)
    for path in originals:
        doc = book.docs[path]
        if doc.fm.error:
            continue
        data = doc.fm.data
        entry: Entry | None = None
        kind = _card_kind(s, path, data)
        if kind is not None:
            entry = _card(book, doc, kind, f"{kind}_id")
        else:
            page_id = data.get("id")
            titles = {lang: _page_title(book.doc_in(doc.base, lang)) or doc.stem for lang in s.languages}
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


def _card_key(settings: Settings, kind: str) -> str:
    """What a card's validation depends on besides its front matter."""
    return f"{kind} {' '.join(settings.languages)} {settings.schema.digest()}"


def _card(book: Book, doc: Doc, kind: cards.CardKind, id_field: str) -> Entry | None:
    s = book.settings
    data, localized = cards.split_localized(doc.fm.data, s.languages)
    # Validation is a function of the front matter and the languages: an unchanged card's
    # result comes from the cache, so checking an unchanged book never imports pydantic.
    key = _card_key(s, kind)
    result = book.cache.card(doc.path, key) if book.cache is not None else None
    if result is None:
        result = book.validated.get((doc.path, key)) or cards.validate(kind, data, doc.fm, s.schema)
        if book.cache is not None:
            book.cache.put_card(doc.path, key, result)
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
        title = title or _text_or_none(localized.get(lang, {}).get("title"))
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
    elif _card_kind(s, path, data) is None:
        fields = []
    else:  # a card: the schema checks its fields, but not the localized keys split off before
        fields = [k for k in data if isinstance(k, str) and k.startswith(("title_", "organization_"))
                  and k.rpartition("_")[2] in s.languages]
    for key in fields:
        value = data[key]
        if value is not None and not isinstance(value, str):
            book.error(path, fm.line_of(key), "frontmatter-field",
                       f"field '{key}': {_shown(value)} is not text",
                       hint=f"write it as text; quote it if it must look like this: {key}: \"...\"")
    if doc.tree == "manuscript" or _card_kind(s, doc.base, book.docs[doc.base].fm.data if doc.base in book.docs
                                              else {}) is None:
        # A card's own fields are the schema's, and it has none of these; a page's are the theme's.
        for key, expected in frontmatter.theme_field_errors(data):
            value = data[key]
            hint = f"quote it: {key}: \"...\"" if expected == "text" else f"write {expected}"
            book.error(path, fm.line_of(key), "frontmatter-field",
                       f"field '{key}': {_shown(value)} is not {expected}", hint=hint)


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
