"""Loading the book: walk both trees, read and scan each file (in processes when that pays),
keep what was found in the cache, and hand it all to the model in book.py.

`load(settings)` is the one way in; everything else here is how it reads.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple

from . import cards, confine, frontmatter, scanner
from .book import Book, Doc, card_key, card_kind, fingerprint, index, split_lang
from .cache import BIBLIOGRAPHY, FactCache, cache_key, content_digest, stat_key
from .parallel import fork_map, will_fork
from .problems import Problem
from .settings import Settings, Slugify, default_slugify
from .walk import Seen, walk

if TYPE_CHECKING:
    from .bibliography import Bibliography, Source


def _duplicate_pages(reals: list[str], paths: list[str], default: str) -> list[Problem]:
    """`x.zh.md` beside `x.md`, both the default language's page: static-i18n refuses to build
    the pair. The file that names its language is the one left out."""
    owner = {path: real for real, path in zip(reals, paths, strict=True) if real == path}
    out = []
    for real, path in zip(reals, paths, strict=True):
        if real != path and path in owner:
            out.append(Problem(real, 1, 1, "error", "duplicate-page",
                               f"{real} and {owner[path]} are both the {default} page {path}: {real} is "
                               "left out (static-i18n refuses to build both)", real,
                               f"keep one of them: merge {real} into {owner[path]} and delete it"))
    return out


class Facts(NamedTuple):
    """Everything the checks need from one file, a function of its text alone. What the cache
    keeps is `pack(facts)`: marshal, which takes plain tuples only, is the fastest codec there is
    for them, and unpacking is most of a warm run."""

    front_matter: tuple[Any, ...]  # FrontMatter's fields, in their order
    packed: bytes  # marshal of (references as Sites, link definitions): unpacked only on demand
    anchors: set[str]
    heading_title: str | None
    fingerprint: str
    embeds: tuple[str, ...]  # what its ![[...]] embeds name, as written


def pack(facts: Facts) -> bytes:
    return marshal.dumps(tuple(facts))


def unpack(data: bytes) -> Facts:
    return Facts._make(marshal.loads(data))


def facts_of(text: str, slugify: Slugify, fp: str | None = None) -> Facts:
    """Everything the checks need from one file, a function of its text alone (FP, if given,
    is the text's fingerprint, worked out from the bytes as read)."""
    fm = frontmatter.parse(text)
    sites, definitions, anchors, title = scanner.facts(text, fm.body_offset, slugify)
    if fp is None:
        fp = fingerprint(text)
    return Facts(
        (fm.data, fm.raw, fm.body_offset, fm.end_line, fm.error, fm.error_line, fm.hint, fm.duplicates),
        marshal.dumps((sites, definitions)), anchors, title, fp,
        tuple(site[1] for site in sites if site[0] == "embed"),
    )


class Read(NamedTuple):
    """What reading one file gave."""

    # The facts as the cache keeps them, packed where the file was read so that neither the
    # pipe from a worker nor the cache's writer has to encode them again; None: as recorded.
    packed: bytes | None
    text: str  # "" where it is not kept (see _read_many)
    digest: bytes  # of its bytes
    stat: tuple[int, int]  # its size and time as they were read
    facts: Facts | None  # None where they would have to be sent: the receiver unpacks them
    validated: cards.Result | None  # what validating the card gave, if this process could


class Undecodable(NamedTuple):
    """A file that is not UTF-8: where its first bad byte is."""

    line: int
    column: int
    message: str


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
        return Read(None, "", digest, st, None, None)  # a checkout or a touch changed its time, not its content
    try:
        text = _text(data)
    except UnicodeDecodeError as exc:
        return _undecodable(data, exc)
    # The bytes are the text's UTF-8 unless newlines were translated or a BOM dropped.
    fp = digest.hex()[:12] if b"\r" not in data and not data.startswith(_BOM) else None
    facts = facts_of(text, slugify, fp)
    return Read(pack(facts), text, digest, st, facts, None)


_BOM = b"\xef\xbb\xbf"


def _text(data: bytes) -> str:
    """The text of a file as MkDocs reads it: without a UTF-8 BOM, newlines as \\n."""
    text = data.decode("utf-8-sig")
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _undecodable(data: bytes, exc: UnicodeDecodeError) -> Undecodable:
    start = exc.start
    line_start = data.rfind(b"\n", 0, start) + 1
    line = data.count(b"\n", 0, start) + 1
    column = len(data[line_start:start].decode("utf-8", "replace")) + 1
    byte = data[start:start + 1].hex()
    return Undecodable(line, column, f"not UTF-8 text: byte 0x{byte} ({exc.reason})")


_FORK_MINIMUM = 200  # files per process below which reading them here beats a fork


class Wanted(NamedTuple):
    """A file to read."""

    source: str  # its absolute path
    recorded: bytes  # the digest of its content on record (b"" if none)
    kind: cards.CardKind | None  # the card it is, or None: not a card, or not to validate here


def _read_many(sources: list[Wanted], slugify: Slugify, jobs: int, first: Callable[[], None],
               validate: Callable[[cards.CardKind, Facts], cards.Result | None]) -> list[Read | Undecodable]:
    """Read and scan files, in JOBS processes when there are enough to pay for a fork; FIRST
    runs in this process meanwhile (see parallel.fork_map). The cards come last in SOURCES:
    this process takes them first, and VALIDATE (once FIRST has imported the schema) checks
    each one it reads against the schema there and then, with the front matter just parsed."""
    if jobs <= 1:
        first()
        return [_read_facts(w.source, slugify, w.recorded) for w in sources]

    parent = os.getpid()

    def facts_only(part: Sequence[Wanted]) -> list[Read | Undecodable]:
        # Texts are not kept: the checker does not need them (a Doc reads its text on demand),
        # and sending them back from a child costs more than reading them again. A child sends
        # the packed facts only; this process keeps the facts it made, not to unpack them again.
        out: list[Read | Undecodable] = []
        here = os.getpid() == parent
        for source, digest, kind in part:
            r = _read_facts(source, slugify, digest)
            if isinstance(r, Undecodable):
                out.append(r)
            elif not here:
                out.append(r._replace(text="", facts=None))
            else:
                out.append(r._replace(text="", validated=validate(kind, r.facts) if kind and r.facts else None))
        return out

    cards_last = sum(1 for w in sources if w.kind)
    return fork_map(facts_only, sources, jobs, minimum=_FORK_MINIMUM, first=first, parent_first=cards_last)


def _doc(path: str, tree: str, source: str, facts: Facts, text: str | None, settings: Settings) -> Doc:
    folder, _, name = path.rpartition("/")
    base_name, lang = split_lang(name, settings.languages, settings.default_language)
    base = f"{folder}/{base_name}" if folder else base_name
    return Doc(path, lang, base, tree, _front_matter(facts), facts.packed, facts.anchors,  # type: ignore[arg-type]
               facts.heading_title, facts.fingerprint, facts.embeds, source=source, reader=read_text,
               _text=text or None)


def _front_matter(facts: Facts) -> frontmatter.FrontMatter:
    """The front matter as facts_of recorded it (FrontMatter's fields, in their order)."""
    return frontmatter.FrontMatter(*facts.front_matter)


def load(settings: Settings, *, use_cache: bool = True, jobs: int = 1,
         prepare: Callable[[FactCache, int], None] | None = None, seen: Seen | None = None) -> Book:
    """Read both trees, index ids and validate every card's front matter.

    Files unchanged since the last run come from the cache (see cache.py); the rest are
    read, parsed and scanned, in JOBS processes if asked. While other processes read files,
    this one reads the bibliography, imports the card schema if a card is to be validated,
    and runs PREPARE (the CLI validates the plugin's options there), told how many of the JOBS
    CPUs no process reading files holds: each is a tenth or two of a second that would
    otherwise come before or after the reading. The cache is written
    by the checks (checks.check), which add what they found to it. What SEEN holds (walks,
    stats) is taken as the file system's answer.
    """
    book = Book(settings)
    root = str(settings.root)
    folder = settings.cache_dir if use_cache else ""
    store = FactCache(settings.root / folder if folder else None, cache_key(settings))
    book.cache = store if folder else None
    slugify = settings.slugify or default_slugify
    items: list[tuple[str, str, str]] = []
    layout = settings.layout
    renamed: set[str] = set()
    for rel in layout.walked(settings.trees):
        # Paths are the book's (see layouts.py): the repository's own in a suffix book, but for
        # a default-language file that names its language (`x.zh.md` is `x.md`).
        tree = "manuscript" if layout.book_folder(rel) == settings.docs_dir else "knowledge"
        if seen is not None and rel in seen.walks:
            reals, refused = seen.walks[rel]
        else:
            refused = []
            reals = walk(settings.root, rel, refused)
        book.walked.append((rel, reals, refused))
        walked = list(refused)
        named = f".{settings.default_language}."
        maps = layout.roots or any(named in real for real in reals)
        paths = [layout.book_path(real) for real in reals] if maps else reals
        if maps:
            walked += _duplicate_pages(reals, paths, settings.default_language)
            taken = {p.file for p in walked}
        for real, path in zip(reals, paths, strict=True):
            if maps:
                if real in taken:
                    continue
                if path != real and not layout.roots:
                    renamed.add(path)
            book.files.add(path)
            if path.endswith(".md"):
                items.append((tree, path, os.path.join(root, real)))
        book.problems.extend(walked)
        book.refused.update(p.file for p in walked)
    if renamed:
        layout = settings.layout = replace(layout, renamed=frozenset(renamed))
    found: list[tuple[bytes, str, Facts | None] | Undecodable | None] = [None] * len(items)
    misses: list[int] = []
    if store.old:
        stats = seen.stats if seen is not None else {}
        for i, (_tree, path, source) in enumerate(items):
            st = stats[source] if source in stats else stat_key(source)
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
        kind = card_kind(settings, path, {})
        if kind is not None and split_lang(path, settings.languages, settings.default_language)[1] \
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
        forked = will_fork(len(misses), jobs, _FORK_MINIMUM)
        if prepare is not None:
            prepare(store, 0 if forked else jobs - 1)
        book.bib = _load_bibliography(settings, store)
        if new_card:
            cards.prepare()
            schema_ready = True
        if forked:
            # Built here, it is shared by the processes that check files (each would build
            # its own, if a link proves broken and wants a near-miss suggestion).
            book.file_index()

    def validate(kind: cards.CardKind, facts: Facts) -> cards.Result | None:
        fm = _front_matter(facts)
        if not schema_ready or fm.error:
            return None
        return cards.validate(kind, cards.split_localized(fm.data, settings.languages)[0], fm, settings.schema)

    wanted = [Wanted(items[i][2], store.digest(items[i][1]), kinds.get(i)) for i in misses]
    results = dict(zip(misses, _read_many(wanted, slugify, jobs, first, validate), strict=True))
    for i in misses:
        result = results[i]
        path = items[i][1]
        if isinstance(result, Undecodable):
            found[i] = result
            continue
        packed, text, digest, st, facts, validated = result
        if validated is not None:
            book.validated[(path, card_key(settings, kinds[i]))] = validated
        if packed is None:
            packed = store.revalidate(path, st)
            missed.discard(i)
        else:
            store.put(path, st, packed, digest)
        found[i] = (packed, text, facts)
    for i, ((tree, path, source), result) in enumerate(zip(items, found, strict=True)):
        assert result is not None
        if isinstance(result, Undecodable):
            line, column, message = result
            book.problems.append(Problem(path, line, column, "error", "encoding", message,
                                         hint="save the file as UTF-8"))
            continue
        doc = _doc(path, tree, source, result[2] or unpack(result[0]), result[1], settings)
        doc.unchanged = i not in missed
        book.docs[path] = doc
        if doc.lang != settings.default_language:
            book.translations.setdefault(doc.base, {})[doc.lang] = path
    for file, line, message in book.bib.errors:
        book.error(file, line, "bibliography", message)
    index(book)
    return book


def read_text(source: str) -> str:
    """A file's text as MkDocs reads it (what a Doc reads when something asks for its text)."""
    with open(source, encoding="utf-8-sig") as fh:
        return fh.read()


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


def _load_bibliography(settings: Settings, store: FactCache) -> Bibliography:
    """The bibliography files, merged; each one's keys and tiers from the cache while the file
    is as recorded."""
    from . import bibliography

    return bibliography.merge([_load_bibliography_file(settings, store, rel) for rel in settings.bibliographies])


def _load_bibliography_file(settings: Settings, store: FactCache, rel: str) -> Source:
    from . import bibliography

    name = BIBLIOGRAPHY + rel
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
