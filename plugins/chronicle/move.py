"""`chronicle mv`: move a chapter, a folder or a card, and rewrite every reference to it.

Planning is pure (plan_move reads the book and returns the moves and the new texts);
applying is apart (apply_plan), so the dry run and the real run show the same thing.

Every edit is made at an offset the scanner found (it has already blanked code spans,
code blocks and comments) or at a node's span in the YAML (front matter, `nav:`), in the
file's text exactly as read: its BOM and line endings, whatever they are, are kept, and
nothing but the reference itself changes.
"""

from __future__ import annotations

import bisect
import html
import os
import posixpath
import re
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

import yaml

from . import frontmatter, scanner
from .book import Book, card_kind, fingerprint, split_lang
from .layouts import unsuffixed
from .resolve import SCHEME, join_path


class Refusal(Exception):
    """The move is not made: the CLI prints the message and exits with status 2."""


@dataclass
class Plan:
    """What a move does: file moves (repository paths, old -> new, translations and every
    file of a moved folder included), and the new text of every file it changes (keyed by the
    file's path before the move), with the ids that change because they come from a path."""

    root: Path
    moves: list[tuple[str, str]] = field(default_factory=list)
    edits: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (text before, text after)
    ids: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.moves and not self.edits

    def new_path(self, path: str) -> str:
        return dict(self.moves).get(path, path)


# Front-matter fields whose values are ids (cards' and pages' references).
_ID_FIELDS = ("chapter_id", "technical_concepts", "related_concepts", "key_events", "key_concepts")
_ID_MAPS = ("causal_connections",)
_PLAIN_SAFE = re.compile(r"[A-Za-z0-9_./][A-Za-z0-9_./ -]*\Z")
_BOM = "\ufeff"


def book_path(root: Path, given: str) -> str | None:
    """GIVEN (a path as typed) as a repository path of the book at ROOT, or None if it is not
    inside ROOT. A relative path is taken from the current folder when that is inside the
    book (as mv takes it), else from ROOT (`--root book` from the folder above)."""
    cwd = Path(os.getcwd()).resolve()
    base = cwd if cwd == root or root in cwd.parents else root
    full = Path(os.path.normpath(base / given))
    try:
        rel = full.relative_to(root)
    except ValueError:
        return None
    text = rel.as_posix()
    return "" if text == "." else text


def plan_move(book: Book, old: str, new: str) -> Plan:
    """The plan for moving OLD to NEW (repository paths, '/'-separated). Raises Refusal."""
    s = book.settings
    root = Path(s.root)
    plan = Plan(root)
    old, new = old.strip("/"), new.strip("/")
    trees = tuple(s.trees)

    def tree_of(path: str) -> str | None:
        return next((t for t in trees if path == t or path.startswith(t + "/")), None)

    for given in (old, new):
        if tree_of(given) is None or given in trees:
            raise Refusal(f"{given or '.'} is not inside the book: only files and folders in "
                          f"{', '.join(t + '/' for t in s.trees)} can be moved")
    old_full, new_full = root / old, root / new
    if new_full.is_dir() and old_full.exists():
        new = f"{new}/{posixpath.basename(old)}"  # into the folder, as mv does
        new_full = root / new
    if old == new:
        plan.notes.append(f"nothing to do: {old} is where it should be")
        return plan
    if not old_full.exists():
        if new_full.exists():
            plan.notes.append(f"nothing to do: {old} does not exist and {new} does (already moved?)")
            return plan
        raise Refusal(f"{old} does not exist")
    if tree_of(old) != tree_of(new):
        raise Refusal(f"{old} is in {tree_of(old)}/ and {new} in {tree_of(new)}/: a move stays in its tree "
                      "(a chapter is not a card)")
    if new.startswith(old + "/"):
        raise Refusal(f"cannot move {old} into itself ({new})")
    _check_layout(book, old, new)
    if new_full.exists() or new_full.is_symlink():
        raise Refusal(f"{new} already exists: move it away first, or choose another name")

    if old_full.is_dir():
        _plan_folder(book, plan, old, new)
    else:
        _plan_file(book, plan, old, new)
    for _src, dst in plan.moves:
        if (root / dst).exists():
            raise Refusal(f"{dst} already exists: move it away first, or choose another name")
    _check_kinds(book, plan)
    _check_ids(book, plan)
    _plan_edits(book, plan, old, new)
    return plan


def _check_layout(book: Book, old: str, new: str) -> None:
    """A move works on x.md / x.en.md names (the suffix book). Files of other names for the
    same pages (layouts.py) are refused rather than half moved: a translation left behind."""
    s = book.settings
    layout = s.layout
    if layout.roots:
        raise Refusal("chronicle mv moves files of a suffix book (x.md beside x.en.md); this book keeps each "
                      "language in a folder or project of its own: move each language's file with git mv, "
                      "then run chronicle check")
    named = f".{s.default_language}."
    inside = [layout.real(p) for p in layout.renamed if layout.real(p).startswith(old + "/")]
    for path in [p for p in (old, new) if named in posixpath.basename(p)] + inside[:1]:
        raise Refusal(f"{path} names the default language ({s.default_language}), which chronicle mv does "
                      f"not follow: rename it to {unsuffixed(path, s.default_language)} first (git mv), "
                      "or move it and its translations with git mv, then run chronicle check")


def _plan_file(book: Book, plan: Plan, old: str, new: str) -> None:
    s = book.settings
    if not old.endswith(".md"):
        plan.moves.append((old, new))  # an image or another asset: links to it follow
        return
    if not new.endswith(".md"):
        raise Refusal(f"{new} must end with .md, as {old} does")
    base, lang = split_lang(posixpath.basename(old), s.languages, s.default_language)
    new_base, new_lang = split_lang(posixpath.basename(new), s.languages, s.default_language)
    if lang != new_lang:
        raise Refusal(f"{old} is the {lang} file and {new} names a {new_lang} one: a move keeps the language")
    old_folder, new_folder = posixpath.dirname(old), posixpath.dirname(new)
    old = posixpath.join(old_folder, base)  # the original: its translations follow it
    new = posixpath.join(new_folder, new_base)
    if not (plan.root / old).is_file():
        raise Refusal(f"{old} does not exist: move the original, and its translations follow")
    plan.moves.append((old, new))
    for other in s.other_languages:
        src = f"{old[:-3]}.{other}.md"
        if (plan.root / src).is_file():
            plan.moves.append((src, f"{new[:-3]}.{other}.md"))
    entry = book.entries.get(posixpath.basename(old_folder))
    if entry is not None and entry.base == old and not entry.id_field and entry.kind == "page" \
            and old_folder != new_folder:
        # The moved page is the one its chapter folder's name identifies.
        left = [p for p, d in book.docs.items() if d.lang == s.default_language
                and posixpath.dirname(p) == old_folder and p != old]
        arriving = [p for p, d in book.docs.items() if d.lang == s.default_language
                    and posixpath.dirname(p) == new_folder]
        new_id = posixpath.basename(new_folder)
        if not left and not arriving and new_folder != s.docs_dir:
            if new_id != entry.id:
                plan.ids[entry.id] = new_id
        elif _uses(book, entry.id):
            after = f"names {sorted(left)[0]}" if left else "names nothing"
            raise Refusal(f"[[{entry.id}]] names {old} through its folder's name, and after the move it {after}: "
                          f"give the page its own id first (front matter 'id: {entry.id}'), or move the folder")
    arriving_first = not any(d.lang == s.default_language and posixpath.dirname(p) == new_folder
                             for p, d in book.docs.items())
    claimed = book.entries.get(posixpath.basename(new_folder))
    if arriving_first and new_folder.startswith(s.docs_dir + "/") and claimed is not None \
            and posixpath.basename(new_folder) not in plan.ids.values() and claimed.base != old:
        raise Refusal(f"the new folder's name '{posixpath.basename(new_folder)}' would be the id of {new}, "
                      f"which {claimed.base} already has: choose another folder name")
    concept = book.by_base.get(old)
    if concept is not None and concept.kind == "concept" and not concept.id_field:
        new_id = posixpath.basename(new)[:-3]
        if new_id != concept.id:
            plan.ids[concept.id] = new_id


def _uses(book: Book, ident: str) -> bool:
    """Whether anything in the book names IDENT: an [[id]], an embed or a card's chapter_id."""
    for doc in book.docs.values():
        for kind, target, _keys, _offset in doc.refs:
            if kind in ("wikilink", "embed") and scanner.split_wiki(target)[0] == ident:
                return True
    return any(getattr(e.card, "chapter_id", None) == ident for e in book.entries.values())


def _plan_folder(book: Book, plan: Plan, old: str, new: str) -> None:
    s = book.settings
    for folder, dirs, names in os.walk(plan.root / old):
        dirs.sort()
        rel = Path(folder).relative_to(plan.root).as_posix()
        links = [d for d in dirs if os.path.islink(os.path.join(folder, d))]
        dirs[:] = [d for d in dirs if d not in links]  # a symlink moves as itself, not followed
        for name in sorted(names + links):
            src = f"{rel}/{name}"
            plan.moves.append((src, new + src[len(old):]))
    if not plan.moves:
        raise Refusal(f"{old} is an empty folder: nothing would move")
    old_id, new_id = posixpath.basename(old), posixpath.basename(new)
    entry = book.entries.get(old_id)
    if old_id != new_id and entry is not None and not entry.id_field and entry.kind == "page" \
            and posixpath.dirname(entry.base) == old and old.startswith(s.docs_dir + "/"):
        plan.ids[old_id] = new_id


def _check_kinds(book: Book, plan: Plan) -> None:
    """A card stays a card: one whose kind comes from its folder would become a page."""
    s = book.settings
    for src, dst in plan.moves:
        doc = book.docs.get(src)
        if doc is None or doc.lang != s.default_language or doc.fm.error:
            continue
        before, after = card_kind(s, src, doc.fm.data), card_kind(s, dst, doc.fm.data)
        if before != after:
            what = lambda k: f"{'an' if k == 'event' else 'a'} {k} card" if k else "a page"  # noqa: E731
            field_ = f"{before}_id" if before else f"{after}_id"
            raise Refusal(f"{src} is {what(before)} and would be {what(after)} at {dst}: its kind comes from "
                          f"its folder; add '{field_}' to its front matter first, or keep it in its folder")


def _check_ids(book: Book, plan: Plan) -> None:
    for old_id, new_id in plan.ids.items():
        other = book.entries.get(new_id)
        if other is not None:
            raise Refusal(f"the id '{old_id}' would become '{new_id}', which {other.base} already has: "
                          "choose another name")


def _moved_to(plan: Plan, old: str, new: str, is_folder: bool):
    files = dict(plan.moves)

    def moved(path: str) -> str | None:
        if path in files:
            return files[path]
        if is_folder and (path == old or path.startswith(old + "/")):
            return new + path[len(old):]
        return None

    return moved


def _plan_edits(book: Book, plan: Plan, old: str, new: str) -> None:
    root = plan.root
    moved = _moved_to(plan, old, new, (root / old).is_dir())
    moved_files = dict(plan.moves)
    # A file that names a moved file or folder, or a changed id, has its name in its bytes (as
    # written or percent-encoded): only those, and the moved files, are scanned.
    names = {posixpath.basename(old), *(posixpath.basename(src) for src, _ in plan.moves), *plan.ids}
    needles = {v.encode("utf-8") for n in names for v in (n, quote(n))}
    for path in sorted(book.docs):
        try:
            data = (root / path).read_bytes()
        except OSError:
            continue
        if path not in moved_files and not any(n in data for n in needles):
            continue
        try:
            before = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        after = _edit_markdown(book, plan, path, moved_files.get(path, path), before, moved)
        if after != before:
            plan.edits[path] = (before, after)
    _keep_translations_current(book, plan)
    config = _config_file(root)
    if config is not None:
        before = (root / config).read_bytes().decode("utf-8")
        after = _edit_nav(book.settings.docs_dir, before, moved)
        if after != before:
            plan.edits[config] = (before, after)


def _keep_translations_current(book: Book, plan: Plan) -> None:
    """A translation that was up to date with its original stays so: rewriting the original's
    links is no change a translator has to look at, so its `translated_from` follows the
    original's new fingerprint (one that was already stale is left stale)."""
    for path in list(plan.edits):
        doc = book.docs.get(path)
        if doc is None or doc.lang != book.default:
            continue
        before, after = plan.edits[path]
        old_fp, new_fp = fingerprint(_Text(before).norm), fingerprint(_Text(after).norm)
        for trans in book.translations.get(doc.base, {}).values():
            current = plan.edits[trans][1] if trans in plan.edits else None
            if current is None:
                try:
                    current = (plan.root / trans).read_bytes().decode("utf-8")
                except (OSError, UnicodeDecodeError):
                    continue
            updated = _set_translated_from(current, old_fp, new_fp)
            if updated is not None:
                plan.edits[trans] = (plan.edits[trans][0] if trans in plan.edits else current, updated)


def _set_translated_from(original: str, old_fp: str, new_fp: str) -> str | None:
    text = _Text(original)
    fm = frontmatter.parse(text.norm)
    opening = frontmatter._FM_OPEN.match(text.norm)
    node = _compose(fm.raw) if fm.raw and not fm.error and opening else None
    if not isinstance(node, yaml.MappingNode) or opening is None:
        return None
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "translated_from" \
                and isinstance(value, yaml.ScalarNode):
            recorded = value.value.zfill(12) if value.value.isdigit() else value.value
            if recorded != old_fp:
                return None
            written = new_fp
            if value.style is None and not new_fp.isdigit() and not isinstance(yaml.safe_load(new_fp), str):
                written = f'"{new_fp}"'  # plain, it would read as a number
            elif value.style is not None:
                written = _scalar_text(value, new_fp)
            start = opening.end()
            text.replace(start + value.start_mark.index, start + value.end_mark.index, written)
            return text.result()
    return None


def _config_file(root: Path) -> str | None:
    for name in ("mkdocs.yml", "mkdocs.yaml"):
        if (root / name).is_file():
            return name
    return None


class _Text:
    """A file's text as read (BOM and every line ending kept) and the text the scanner
    reads (no BOM, newlines as \\n), with offsets of the latter mapped to the former."""

    def __init__(self, original: str) -> None:
        self.original = original
        removed: list[int] = []  # offsets in the scanner's text before which a character went
        if original.startswith(_BOM):
            removed.append(0)
        body = original[1:] if removed else original
        if "\r" in body:
            shift = len(removed)
            for m in re.finditer(r"\r\n?", body):
                if m.group() == "\r\n":
                    removed.append(m.start() + shift - len(removed))
            body = body.replace("\r\n", "\n").replace("\r", "\n")
        self.norm = body
        self._removed = removed
        self.edits: list[tuple[int, int, str]] = []

    def at(self, offset: int) -> int:
        return offset + bisect.bisect_right(self._removed, offset)

    def replace(self, start: int, end: int, text: str) -> None:
        """Replace norm[start:end] (the scanner's offsets)."""
        if self.norm[start:end] != text:
            self.edits.append((self.at(start), self.at(end), text))

    def result(self) -> str:
        out = self.original
        for start, end, text in sorted(set(self.edits), reverse=True):
            out = out[:start] + text + out[end:]
        return out


def _edit_markdown(book: Book, plan: Plan, path: str, new_path: str, original: str, moved) -> str:
    text = _Text(original)
    norm = text.norm
    fm = frontmatter.parse(norm)
    folder, new_folder = posixpath.dirname(path), posixpath.dirname(new_path)
    for ref in scanner.scan(norm, fm.body_offset).refs:
        kind = ref.kind
        if kind in ("wikilink", "embed"):
            if plan.ids:
                inner = norm[ref.target_start:ref.target_end]
                ident = inner.partition("|")[0].partition("#")[0].strip()
                if ident in plan.ids:
                    at = ref.target_start + inner.index(ident)
                    text.replace(at, at + len(ident), plan.ids[ident])
            continue
        if kind not in ("link", "image", "refdef", "html-link", "html-image"):
            continue
        written = norm[ref.target_start:ref.target_end]
        is_html = kind.startswith("html-")
        url = html.unescape(written) if is_html and "&" in written else written
        rewritten = _rewrite_url(url, folder, new_folder, moved)
        if rewritten is not None:
            if is_html and "&" in written:
                rewritten = rewritten.replace("&", "&amp;")
            angle = ref.target_start > 0 and norm[ref.target_start - 1] == "<"
            if " " in rewritten and not angle and not is_html:
                rewritten = rewritten.replace(" ", "%20")
            text.replace(ref.target_start, ref.target_end, rewritten)
    if fm.raw and not fm.error:
        start = frontmatter._FM_OPEN.match(norm)
        if start is not None:
            _edit_front_matter(text, fm.raw, start.end(), folder, new_folder, plan.ids, moved, plan.root)
    return text.result()


def _rewrite_url(url: str, folder: str, new_folder: str, moved) -> str | None:
    """URL (written in a file of FOLDER, which moves to NEW_FOLDER) once the move is made, or
    None if it stays as it is. Its ?query and #anchor are kept."""
    if not url or url.startswith(("#", "/", "?")) or SCHEME.match(url):
        return None
    end = len(url)
    for sep in ("?", "#"):
        i = url.find(sep)
        if i >= 0:
            end = min(end, i)
    raw, tail = url[:end], url[end:]
    if not raw:
        return None
    decoded = unquote(raw) if "%" in raw else raw
    target = join_path(folder, decoded)
    if target == ".." or target.startswith("../"):
        return None
    new_target = moved(target)
    if new_target is None:
        if folder == new_folder:
            return None
        new_target = target
    elif join_path(new_folder, decoded) == new_target:
        return None  # moved with what it links to (a sibling in a moved folder)
    rel = posixpath.relpath(new_target, new_folder or ".")
    if raw.endswith("/") and not rel.endswith("/"):
        rel += "/"
    if "%" in raw:
        rel = quote(rel, safe="/!$&'()*+,;=:@~-._")
    return rel + tail


def _nodes(node: yaml.Node) -> Iterator[yaml.ScalarNode]:
    """Every scalar value under NODE (mapping keys left out)."""
    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _nodes(item)
    elif isinstance(node, yaml.MappingNode):
        for _key, value in node.value:
            yield from _nodes(value)


def _compose(text: str) -> yaml.Node | None:
    try:
        # Composing builds nodes without constructing values: no tag (!ENV, !!python/...) runs.
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None


def _scalar_text(node: yaml.ScalarNode, value: str) -> str:
    """VALUE written in the style NODE was written in."""
    if node.style == "'":
        return "'" + value.replace("'", "''") + "'"
    if node.style == '"' or not _PLAIN_SAFE.match(value):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


def _edit_front_matter(text: _Text, raw: str, offset: int, folder: str, new_folder: str,
                       ids: dict[str, str], moved, root: Path) -> None:
    node = _compose(raw)
    if not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else None
        for scalar in _nodes(value):
            if scalar.tag != "tag:yaml.org,2002:str" or not scalar.value:
                continue
            start, end = offset + scalar.start_mark.index, offset + scalar.end_mark.index
            if scalar.style in ("|", ">"):
                continue
            if name in _ID_FIELDS or name in _ID_MAPS:
                if scalar.value in ids:
                    text.replace(start, end, _scalar_text(scalar, ids[scalar.value]))
                continue
            if scalar.value.endswith(".md") or "/" in scalar.value:
                # Only a value that names a file or folder of the book is a path (not "a/b" tags).
                target = join_path(folder, scalar.value.partition("#")[0])
                if not (moved(target) or (root / target).exists()):
                    continue
                rewritten = _rewrite_url(scalar.value, folder, new_folder, moved)
                if rewritten is not None:
                    text.replace(start, end, _scalar_text(scalar, rewritten))


def _edit_nav(docs_dir: str, original: str, moved) -> str:
    """mkdocs.yml with its `nav:` entries that name a moved file or folder rewritten, in place
    (comments and layout kept)."""
    bom = 1 if original.startswith(_BOM) else 0
    node = _compose(original[bom:])
    if not isinstance(node, yaml.MappingNode):
        return original
    out = original
    for key, value in reversed(node.value):
        if not (isinstance(key, yaml.ScalarNode) and key.value == "nav"):
            continue
        for scalar in reversed(list(_nodes(value))):
            v = scalar.value
            if scalar.style in ("|", ">") or not v or SCHEME.match(v) or v.startswith("/"):
                continue
            target = posixpath.normpath(posixpath.join(docs_dir, v))
            new_target = moved(target)
            if new_target is None:
                continue
            rel = posixpath.relpath(new_target, docs_dir)
            if v.endswith("/"):
                rel += "/"
            start, end = bom + scalar.start_mark.index, bom + scalar.end_mark.index
            out = out[:start] + _scalar_text(scalar, rel) + out[end:]
    return out


# Applying.


def git_root(root: Path) -> bool:
    """Whether the book is in a git work tree."""
    try:
        proc = subprocess.run(["git", "-C", str(root), "rev-parse", "--is-inside-work-tree"],
                              capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0 and proc.stdout.strip() == "true"


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=300)


def touched(plan: Plan) -> list[str]:
    """Every file the move changes or moves (paths before the move)."""
    return sorted(set(plan.edits) | {src for src, _ in plan.moves})


def uncommitted(plan: Plan) -> list[str]:
    """Files the move would change that have changes git has not committed (untracked included)."""
    paths = touched(plan)
    if not paths:
        return []
    proc = _git(plan.root, "status", "--porcelain", "-z", "--untracked-files=all", "--", *paths)
    if proc.returncode != 0:
        raise Refusal(f"git status failed: {proc.stderr.strip()}")
    out = []
    for item in proc.stdout.split("\0"):
        if len(item) > 3:
            out.append(item[3:])
    return out


def write_atomic(path: Path, text: str) -> None:
    """Replace PATH's content with TEXT's UTF-8: a temporary file in the same folder, renamed
    over it, so a reader sees the old file or the new one, never half of one."""
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def apply_plan(plan: Plan, *, use_git: bool) -> None:
    """Write the edits, then move the files (with `git mv` for those git tracks)."""
    root = plan.root
    for path, (_before, after) in plan.edits.items():
        write_atomic(root / path, after)
    tracked: set[str] = set()
    if use_git and plan.moves:
        proc = _git(root, "ls-files", "-z", "--", *[src for src, _ in plan.moves])
        tracked = {p for p in proc.stdout.split("\0") if p}
    for src, dst in plan.moves:
        (root / dst).parent.mkdir(parents=True, exist_ok=True)
        if src in tracked:
            proc = _git(root, "mv", "--", src, dst)
            if proc.returncode != 0:
                raise OSError(f"git mv {src} {dst}: {proc.stderr.strip()}")
        else:
            os.replace(root / src, root / dst)
    for src, _dst in plan.moves:
        folder = (root / src).parent
        while folder != root and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
