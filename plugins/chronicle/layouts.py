"""Where each language's files are: the three layouts multilingual MkDocs books use.

- `suffix` (static-i18n's default): `x.md` and its translation `x.en.md` side by side.
- `folder` (static-i18n's `docs_structure: folder`): `docs/zh/x.md` and `docs/en/x.md`.
- `projects`: one MkDocs project per language (`mkdocs.yml`, `en/mkdocs.yml` with
  `INHERIT: ../mkdocs.yml`), each with a docs_dir of its own.

In a suffix book a default-language file may carry its language too, `x.zh.md` beside
`x.en.md`: static-i18n reads it as the default-language file of `x.md`, and so does the book
(its book path is `x.md`; `Layout.renamed` lists such files). Having both `x.md` and `x.zh.md`
is refused by static-i18n; here the second is a `duplicate-page` error and is left out.

The core knows one layout, the suffix one: every file has a *book path*, the path it would
have in a suffix book (`docs/x.en.md` for `docs/en/x.md`), and the checks, the id index and
translation status work on book paths alone. A `Layout` maps a file's path in the
repository to its book path and back; what authors read (the files of problems, of the
status) is mapped back to the repository. The build stages the book paths as symlinks to
the files (see `stage`), so that static-i18n sees a suffix book whatever the layout.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

if TYPE_CHECKING:
    from .problems import Problem
    from .settings import Settings
    from .status import Status

STRUCTURES = ("suffix", "folder")


@dataclass(frozen=True)
class Root:
    """A folder of one language: its files are the translations of the book folder's."""

    real: str  # the folder in the repository, relative to the project root
    book: str  # the folder it stands for in book paths
    lang: str


@dataclass(frozen=True)
class Layout:
    structure: str = "suffix"  # suffix | folder | projects
    default: str = "zh"
    languages: tuple[str, ...] = ()
    roots: tuple[Root, ...] = ()  # longest real folder first
    configs: tuple[str, ...] = field(default=(), compare=False)  # the extra projects' config files
    # Book paths whose repository file names the default language (`x.md` for `x.zh.md`):
    # found by the walk (loading.py), in a suffix book only.
    renamed: frozenset[str] = frozenset()

    @property
    def mapped(self) -> bool:
        """Whether any repository path differs from its book path."""
        return bool(self.roots or self.renamed)

    def locate(self, real: str) -> tuple[str, str]:
        """A repository path -> (the default-language file's book path, the language)."""
        book, lang = self._to_book(real)
        if lang and lang != self.default:
            return book, lang
        return split_suffix(book, self.default, self.default, self.languages)

    def place(self, base: str, lang: str) -> str:
        """(book path of a default-language file, language) -> the repository path of its
        LANG version (whether or not it exists)."""
        return self.real(suffixed(base, lang, self.default))

    def book_path(self, real: str) -> str:
        """The path of a repository file in the suffix book."""
        book, lang = self._to_book(real)
        return suffixed(book, lang, self.default)

    def book_folder(self, real: str) -> str:
        """The folder a repository folder stands for in the book."""
        return self._to_book(real)[0]

    def real(self, book_path: str) -> str:
        """The repository path of a book path (the inverse of book_path)."""
        if book_path in self.renamed:
            return suffixed(book_path, self.default, "")
        if not self.roots:
            return book_path
        base, lang = split_suffix(book_path, self.default, self.default, self.languages)
        for root in self.roots:
            if root.lang == lang and _under(base, root.book):
                return root.real + base[len(root.book):]
        return book_path

    def walked(self, trees: list[str]) -> list[str]:
        """The folders to read: the book's TREES (book paths) as they are in the repository,
        and every other language's folders."""
        out: list[str] = []
        for tree in trees:
            out.append(self.real(tree))
        for root in self.roots:
            if not any(_under(root.real, t) for t in out):
                out.append(root.real)
        return out

    def maps(self, tree: str) -> bool:
        """Whether the book folder TREE is made of other folders of the repository, or holds
        files named otherwise in it."""
        return any(_under(r.book, tree) or _under(tree, r.book) for r in self.roots) \
            or any(_under(p, tree) for p in self.renamed)

    def _to_book(self, real: str) -> tuple[str, str]:
        for root in self.roots:
            if _under(real, root.real):
                return root.book + real[len(root.real):], root.lang
        if self.structure == "suffix":
            unnamed = unsuffixed(real, self.default)
            if unnamed != real:
                return unnamed, self.default
        return real, ""


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + "/")


def split_suffix(path: str, lang: str, default: str, languages: tuple[str, ...]) -> tuple[str, str]:
    """`x.en.md` -> ('x.md', 'en'); a path with no language suffix -> (path, LANG)."""
    folder, _, name = path.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    head, dot2, suffix = stem.rpartition(".")
    if dot and dot2 and suffix in languages and suffix != default:
        return (f"{folder}/" if folder else "") + f"{head}.{ext}", suffix
    return path, lang


def unsuffixed(path: str, default: str) -> str:
    """`x.zh.md` -> `x.md` for the DEFAULT language zh (static-i18n's reading); any other path
    as it is. A name that is only the suffix (`zh.md`) names no page of its own: kept."""
    folder, _, name = path.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    head, dot2, suffix = stem.rpartition(".")
    if not (dot and dot2 and head and suffix == default):
        return path
    return (f"{folder}/" if folder else "") + f"{head}.{ext}"


def suffixed(path: str, lang: str, default: str) -> str:
    """`x.md` in LANG -> `x.en.md` (the default language's file keeps its name)."""
    if not lang or lang == default:
        return path
    folder, _, name = path.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    name = f"{stem}.{lang}.{ext}" if dot else f"{name}.{lang}"
    return f"{folder}/{name}" if folder else name


class LayoutError(Exception):
    """The layout the configuration describes is not there (a ConfigError for the caller)."""


def folder_layout(root: Path, docs_dir: str, languages: list[str], default: str, config_name: str) -> Layout:
    """static-i18n's folder structure: DOCS_DIR/<lang>/ per language."""
    missing = [lang for lang in languages if not (root / docs_dir / lang).is_dir()]
    if default in missing:
        raise LayoutError(f"{config_name}: plugins.i18n.docs_structure: folder, but docs_dir '{docs_dir}' has no "
                          f"folder '{default}' for the default language: make {docs_dir}/{default}/, or remove "
                          "docs_structure to use x.md / x.en.md files")
    roots = [Root(f"{docs_dir}/{lang}", docs_dir, lang) for lang in languages]
    return Layout("folder", default, tuple(languages), tuple(sorted(roots, key=lambda r: -len(r.real))))


def apply(settings: Settings, layout: Layout) -> None:
    """Give SETTINGS a layout: its card folders (written as repository paths, in the default
    language's folder) become book paths."""
    settings.layout = layout
    if not layout.roots:
        return
    dirs = [layout.book_path(k) for k in settings.knowledge_dirs]
    settings.knowledge_dirs, settings.knowledge_dir = dirs, dirs[0]


def project_roots(first: Settings, other_root: str, lang: str, docs_dir: str,
                  knowledge_dirs: list[str]) -> list[Root]:
    """The folders of a project of LANG whose config file is in OTHER_ROOT (relative to the
    first project's root); DOCS_DIR and KNOWLEDGE_DIRS are as its config writes them (relative
    to its own folder). A card folder both projects share keeps suffix translations."""
    def rel(value: str) -> str:
        return posixpath.normpath(posixpath.join(other_root, value.replace(os.sep, "/")))

    roots = [Root(rel(docs_dir), first.layout.real(first.docs_dir), lang)]
    for mine, theirs in zip(first.knowledge_dirs, knowledge_dirs, strict=False):
        real = rel(theirs)
        if real != first.layout.real(mine) and (first.root / real).is_dir():
            roots.append(Root(real, mine, lang))
    return roots


def add_roots(settings: Settings, roots: list[Root], config: str) -> None:
    """Join another project's folders (project_roots) to SETTINGS' book."""
    layout = settings.layout
    every = sorted([*layout.roots, *roots], key=lambda r: -len(r.real))
    settings.layout = Layout("projects", settings.default_language, tuple(settings.languages), tuple(every),
                             (*layout.configs, config))


def real_problem(problem: Problem, layout: Layout) -> Problem:
    """PROBLEM as an author reads it: its file, and the paths its words name, in the repository."""
    if not layout.mapped:
        return problem
    # A file that is not there is looked for in the language of the file that links to it.
    lang = split_suffix(problem.file, "", layout.default, layout.languages)[1] \
        if problem.code in ("missing-file", "missing-image") else ""
    return replace(problem, file=layout.real(problem.file), message=real_paths(problem.message, layout, lang),
                   hint=real_paths(problem.hint, layout, lang))


def real_status(status: Status, layout: Layout) -> Status:
    """A translation status with repository paths."""
    if not layout.mapped:
        return status
    return replace(status, base=layout.real(status.base),
                   translation=layout.real(status.translation) if status.translation else "",
                   reason=real_paths(status.reason, layout))


_PATH = re.compile(r"[\w./-]+\.[A-Za-z0-9]+")


def real_paths(text: str, layout: Layout, lang: str = "") -> str:
    """Book paths in TEXT (a message) replaced with repository paths; a path of no language
    is taken as LANG's, if given."""
    if not text or not layout.mapped:
        return text
    books = tuple(r.book + "/" for r in layout.roots)
    reals = tuple(r.real + "/" for r in layout.roots)

    def real(m: re.Match[str]) -> str:
        path = m.group(0)
        if path in layout.renamed:
            return layout.real(path)
        if not books or not path.startswith(books) or path.startswith(reals):  # a bibliography's path is as written
            return path
        if lang and split_suffix(path, "", layout.default, layout.languages)[1] == "":
            path = suffixed(path, lang, layout.default)
        return layout.real(path)

    return _PATH.sub(real, text)


# -- the build ---------------------------------------------------------------------------

def edit_url(repo_url: str | None, edit_uri: str, docs_dir: str, real: str) -> str:
    """The edit link of the repository file REAL (relative to the project), as MkDocs makes
    one from `repo_url` and `edit_uri`: the path from repo_url to docs_dir, to which MkDocs
    appends the page's path in docs_dir. The staged folder's paths are not the repository's,
    so that path is worked out from REAL (`../knowledge/x.md` for a card beside docs_dir).
    An edit_uri that stops at a branch (`edit/main/`) cannot be docs_dir, which is never the
    project's own folder: it is the project's root, and REAL is appended as it is."""
    base = edit_uri if edit_uri.endswith("/") else edit_uri + "/"
    folder = docs_dir.strip("/") + "/"
    if _BRANCH_ROOT.search(base) and not base.endswith("/" + folder):
        url = base + real
    else:
        url = urljoin(base, posixpath.relpath(real, docs_dir)) if "://" in base \
            else posixpath.normpath(posixpath.join(base, posixpath.relpath(real, docs_dir)))
    if not repo_url:
        return url
    if not url.startswith(("?", "#")) and not repo_url.endswith("/"):
        repo_url += "/"
    return urljoin(repo_url, url)


# `edit/main/`, `blob/main/`, `tree/main/` (GitHub), `-/edit/main/` (GitLab), `src/main/`
# (Bitbucket), `src/branch/main/` (Gitea): a branch's root.
_BRANCH_ROOT = re.compile(r"(?:^|/)(?:edit|blob|tree|src|branch)/[^/]+/$")


_MARK = ".chronicle-mirror"  # what staging.py recognises as a folder of its own to replace


def stage(root: Path, folder: Path, files: dict[str, str], trees: list[str]) -> None:
    """Write the book paths of TREES under FOLDER (the staging folder) as symlinks to the
    repository files (FILES: book path -> repository path), and nothing else there: one
    suffix book for MkDocs and static-i18n, whatever the layout."""
    for tree in trees:
        top = folder / tree
        if top.is_symlink():
            top.unlink()
        elif top.is_dir() and not (top / _MARK).is_file():
            shutil.rmtree(top)
        wanted = {p for p in files if _under(p, tree)}
        top.mkdir(parents=True, exist_ok=True)
        (top / _MARK).write_text("", encoding="utf-8")
        for book_path in sorted(wanted):
            link = folder / book_path
            target = os.path.relpath(root / files[book_path], link.parent)
            if link.is_symlink() and os.readlink(link) == target:
                continue
            link.parent.mkdir(parents=True, exist_ok=True)
            if link.is_symlink() or link.is_file():
                link.unlink()
            os.symlink(target, link)
        for dirpath, dirnames, filenames in os.walk(top, topdown=False):
            for name in filenames:
                rel = Path(dirpath, name).relative_to(folder).as_posix()
                if name != _MARK and rel not in wanted:
                    os.unlink(os.path.join(dirpath, name))
            for name in dirnames:
                sub = os.path.join(dirpath, name)
                if os.path.islink(sub):
                    os.unlink(sub)
                elif not os.listdir(sub):
                    os.rmdir(sub)
