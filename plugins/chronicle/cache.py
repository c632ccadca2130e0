"""What each file contributed last time, so an unchanged file is not read, parsed or scanned again.

Like `.pytest_cache` or `.ruff_cache`: a git-ignored folder in the project (it carries its
own `.gitignore`), safe to delete. An entry is trusted only while the file's size and
modification time (ns) are the ones recorded, and not if the file was modified within
`RACY` seconds of the cache being written (git's "racy clean" rule: an edit made in the
same clock tick as the recording would otherwise go unseen). Otherwise, as git does, the
file is read and its content compared with the recorded digest: a fresh checkout (every
time new, every content the same) is hashed, not parsed again.

The payload is `marshal` (front matter holds only what YAML's safe loader makes, and
marshal keeps int keys, sets and bytes that JSON would not), behind a header with a
format version and a SHA-256 digest: a truncated or foreign file is ignored, not loaded.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__, confine

if TYPE_CHECKING:
    from .settings import Settings

FORMAT = b"chronicle-cache 9\n"
FACTS, PROBLEMS = "facts.marshal", "problems.marshal"
RACY = 2.0
_DIGEST = 32
_GITIGNORE = "# Made by chronicle; safe to delete.\n*\n"

Entry = tuple[int, int, Any, bytes]  # (size, mtime_ns, facts, digest of the content)
# The name a bibliography file is recorded under: a Markdown bibliography is also a page, with
# facts of its own under its path.
BIBLIOGRAPHY = "\0bib\0"


def content_digest(data: bytes) -> bytes:
    """What the cache knows a file's content by: its SHA-256 (which the CPU computes in
    hardware on most machines, twice as fast as BLAKE2 here); its start, as hex, is the
    fingerprint of a text whose bytes are its UTF-8."""
    return hashlib.sha256(data).digest()


def stat_key(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def cache_key(settings: Settings) -> str:
    """What cached facts and problems depend on besides the files: the code that made them
    (the package's source, so an edited scanner or check never meets results of the old
    one) and the slugify."""
    from .settings import default_slugify

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


def read_payload(folder: Path, name: str) -> Any:
    """The payload of the cache's file NAME in FOLDER, or None if it is missing, damaged or foreign."""
    try:
        raw = (folder / name).read_bytes()
    except OSError:
        return None
    if not raw.startswith(FORMAT):
        return None
    body = raw[len(FORMAT) + _DIGEST:]
    if hashlib.sha256(body).digest() != raw[len(FORMAT):len(FORMAT) + _DIGEST]:
        return None
    try:
        return marshal.loads(body)
    except (EOFError, ValueError, TypeError):
        return None


def write_payload(folder: Path, name: str, payload: Any) -> None:
    """Replace one of the cache's files at once (a reader sees the old one or the new one)."""
    try:
        folder.mkdir(exist_ok=True)
        ignore = folder / ".gitignore"
        if ignore.is_symlink() or not ignore.is_file():
            confine.write_file(folder, ".gitignore", _GITIGNORE.encode())
        body = marshal.dumps(payload)
        digest = hashlib.sha256(body).digest()
        import tempfile  # only a run that writes pays for its import

        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(FORMAT + digest + body)
            os.replace(tmp, folder / name)
        except BaseException:
            os.unlink(tmp)
            raise
    except (OSError, ValueError, confine.Outside):
        pass  # a read-only project just goes uncached


class FactCache:
    """Per-file facts keyed by repository path, valid for one configuration KEY; and each file's
    problems, valid while the file is unchanged and the book's `world` (everything the checks of
    one file look up in the others, see checks.world_key) is the one they were found in."""

    def __init__(self, folder: Path | None, key: str) -> None:
        self.folder = folder
        self.key = key
        self.old: dict[str, Entry] = {}
        self.new: dict[str, Entry] = {}
        self.written_at = 0.0
        self.world = ""
        self.problems: dict[str, Any] = {}  # path -> (problem rows, what the file system said)
        self.book_problems: dict[str, tuple[str, list[Any]]] = {}  # book check -> (book_key, rows)
        self.cards_old: dict[str, tuple[bytes, str, Any]] = {}  # path -> (content digest, key, result)
        self.cards_new: dict[str, tuple[bytes, str, Any]] = {}
        self.notes: dict[str, str] = {}  # small facts about the book as a whole (see note)
        self.generation = ""  # of the facts file: the problems file names the one it goes with
        self.problems_dirty = True  # the problems file does not hold self.problems for this generation
        self.dirty = False
        if folder is not None:
            self._load()

    def _read(self, name: str) -> Any:
        assert self.folder is not None
        return read_payload(self.folder, name)

    def _write(self, name: str, payload: Any) -> None:
        assert self.folder is not None
        write_payload(self.folder, name, payload)

    def _load(self) -> None:
        facts = self._read(FACTS)
        if not (isinstance(facts, tuple) and len(facts) == 6 and facts[0] == self.key):
            return
        _key, written_at, generation, entries, cards, notes = facts
        if not all(isinstance(x, dict) for x in (entries, cards, notes)):
            return
        self.old, self.written_at, self.generation = entries, written_at, generation
        self.cards_old, self.notes = cards, notes
        # Problems are only as good as the facts they were found with: the same generation.
        problems = self._read(PROBLEMS)
        if isinstance(problems, tuple) and len(problems) == 5 and problems[:2] == (self.key, generation) \
                and isinstance(problems[3], dict) and isinstance(problems[4], dict):
            self.world, self.problems, self.book_problems = problems[2], problems[3], problems[4]
            self.problems_dirty = False

    def get(self, path: str, stat: tuple[int, int]) -> Any | None:
        entry = self.old.get(path)
        if entry is None or (entry[0], entry[1]) != stat:
            return None
        if stat[1] / 1e9 >= self.written_at - RACY:
            return None  # modified too close to when it was recorded: maybe edited since, in the same tick
        self.new[path] = entry
        return entry[2]

    def digest(self, path: str) -> bytes:
        """The recorded digest of PATH's content (b"" if none): a file whose time changed
        but whose content did not (a fresh checkout, a touch) is read and hashed, not parsed."""
        entry = self.old.get(path)
        return entry[3] if entry is not None else b""

    def revalidate(self, path: str, stat: tuple[int, int]) -> Any:
        """Facts of PATH, whose content was found to be as recorded; the new time is recorded."""
        size, _mtime, facts, digest = self.old[path]
        self.new[path] = (size, stat[1], facts, digest)
        self.dirty = True
        return facts

    def put(self, path: str, stat: tuple[int, int], facts: Any, digest: bytes) -> None:
        self.new[path] = (stat[0], stat[1], facts, digest)
        self.dirty = True

    def card(self, path: str, key: str) -> Any | None:
        """What validating the card at PATH gave, if its content is the one validated, under KEY."""
        entry, old = self.new.get(path), self.cards_old.get(path)
        if entry is None or old is None or old[0] != entry[3] or old[1] != key:
            return None
        self.cards_new[path] = old
        return old[2]

    def put_card(self, path: str, key: str, result: Any) -> None:
        entry = self.new.get(path)
        if entry is not None:
            self.cards_new[path] = (entry[3], key, result)
            self.dirty = True

    def note(self, name: str) -> str | None:
        return self.notes.get(name)

    def set_note(self, name: str, value: str) -> None:
        """Record VALUE under NAME (e.g. that the plugin's options, as written, were valid)."""
        if self.notes.get(name) != value:
            self.notes[name] = value
            self.dirty = True

    def problems_in(self, world: str) -> dict[str, Any]:
        """Problems per file recorded in WORLD (nothing if the world has changed since)."""
        return self.problems if world == self.world else {}

    def put_problems(self, world: str, problems: dict[str, Any]) -> None:
        if world != self.world or problems != self.problems:
            self.world, self.problems, self.problems_dirty = world, problems, True

    def contents(self, prefix: str = "") -> list[tuple[str, bytes]]:
        """(path, digest of its content) of every file this run found whose name starts with
        PREFIX, sorted: what the book is made of, whether each came from the record or was
        read again."""
        new = self.new
        names = sorted(new) if not prefix else sorted(name for name in new if name.startswith(prefix))
        return [(name, new[name][3]) for name in names]

    def book_problems_in(self, check: str, key: str) -> list[Any] | None:
        """The problem rows the book check CHECK found in a book whose book_key was KEY, if any."""
        recorded = self.book_problems.get(check)
        return recorded[1] if recorded is not None and recorded[0] == key else None

    def put_book_problems(self, check: str, key: str, rows: list[Any]) -> None:
        if self.book_problems.get(check) != (key, rows):
            self.book_problems[check] = (key, rows)
            self.problems_dirty = True

    def save_facts(self) -> None:
        """Write the facts this run saw (dropping deleted files), if they changed."""
        if self.folder is None or not (
            self.dirty or len(self.new) != len(self.old) or len(self.cards_new) != len(self.cards_old)
        ):
            return
        self.generation = os.urandom(8).hex()
        self._write(FACTS, (self.key, time.time(), self.generation, self.new, self.cards_new, self.notes))
        self.dirty, self.problems_dirty = False, True  # the problems must name the new generation
        self.old, self.cards_old = self.new, self.cards_new  # what the file now holds

    def save_problems(self) -> None:
        """Write each file's problems, tied to the facts file's generation (after save_facts)."""
        if self.folder is None or not self.problems_dirty:
            return
        self._write(PROBLEMS, (self.key, self.generation, self.world, self.problems, self.book_problems))
        self.problems_dirty = False
