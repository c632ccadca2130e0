"""The staging folder: one docs_dir made of two symlinks, plus generated pages.

MkDocs refuses `docs_dir: .`, and mkdocs-static-i18n only localizes files that lie in
docs_dir. A git-ignored folder holding relative symlinks to `manuscript/` and
`knowledge/` gives MkDocs one tree in which the repository's relative links
(`../../knowledge/...` from a chapter) resolve as they do on GitHub, and `mkdocs serve`
watches both trees through it.
"""

from __future__ import annotations

import os
import posixpath
import shutil
from collections.abc import Collection
from pathlib import Path

from . import confine

GENERATED = "_chronicle"


def strip_site_prefix(path: str, docs_dir: str) -> str:
    """Chapters and generated pages sit at the site root: drop their folder from a path."""
    for prefix in (docs_dir + "/", GENERATED + "/"):
        if path.startswith(prefix):
            return path[len(prefix):]
    return path


class StagingError(Exception):
    pass


def prepare(root: Path, staging: str, trees: list[str], refused: Collection[str] = ()) -> Path:
    """Create ROOT/STAGING with a relative symlink per tree; return its absolute path.

    MkDocs walks its docs_dir following every symlink, so a tree that holds a symlink the book
    REFUSED (one that leads outside the project, or in a cycle) is staged as a mirror instead:
    real folders down to each refused link, symlinks to everything else, the refused links
    left out. MkDocs then never sees them."""
    folder = (root / staging).resolve()
    if root.resolve() not in folder.parents:
        raise StagingError(f"staging_dir '{staging}' must be a folder inside the project")
    folder.mkdir(exist_ok=True)
    _write_if_changed(folder, ".gitignore", "# Made by the chronicle plugin; safe to delete.\n*\n")
    for name in os.listdir(folder):
        # The folder is ours (git-ignored, rebuilt at will): a symlink in it that is not one
        # of the trees' links was planted, and would lead our writes elsewhere.
        path = folder / name
        if path.is_symlink() and name not in {t.split("/")[0] for t in trees}:
            path.unlink()
    for tree in trees:
        if not (root / tree).is_dir():
            continue
        link = folder / tree
        mirrored = {posixpath.dirname(r) for r in refused if r.startswith(tree + "/")}
        for rel in list(mirrored):
            while rel != tree and rel:
                rel = posixpath.dirname(rel)
                mirrored.add(rel)
        target = os.path.relpath(root / tree, link.parent)
        if link.is_symlink():
            if not mirrored and os.readlink(link) == target:
                continue
            link.unlink()
        elif link.is_dir() and (root / staging / tree / _MIRROR).is_file():
            shutil.rmtree(link)  # our mirror: folders and symlinks (rmtree follows none)
        elif link.exists():
            raise StagingError(f"{link} exists and is not the symlink the plugin makes; delete it")
        link.parent.mkdir(parents=True, exist_ok=True)
        if not confine.within(str(folder), confine.real(link.parent)):
            raise StagingError(f"{link.parent} leads outside {folder}; delete it")
        if mirrored:
            _mirror(root, folder, tree, mirrored, set(refused))
            (link / _MIRROR).write_text("", encoding="utf-8")
        else:
            os.symlink(target, link, target_is_directory=True)
    return folder


_MIRROR = ".chronicle-mirror"


def _mirror(root: Path, folder: Path, rel: str, mirrored: set[str], refused: set[str]) -> None:
    (folder / rel).mkdir()
    for name in sorted(os.listdir(root / rel)):
        sub = f"{rel}/{name}"
        if sub in refused:
            continue
        if sub in mirrored:
            _mirror(root, folder, sub, mirrored, refused)
        else:
            link = folder / sub
            os.symlink(os.path.relpath(root / sub, link.parent), link)


def write_generated(folder: Path, files: dict[str, str], *, prune: bool = True) -> None:
    """Write generated pages (and, with PRUNE, delete the pages no longer generated), touching
    only those that changed (serve would rebuild forever). Every path stays inside the staging
    folder's own `_chronicle/`, whatever a page's `path` option says."""
    gen = folder / GENERATED
    if gen.is_symlink():
        gen.unlink()
    gen.mkdir(exist_ok=True)
    real_gen = confine.real(gen)
    wanted = set(files)
    for rel, text in files.items():
        target = confine.real(gen / rel)
        if not confine.within(real_gen, target) or target == real_gen:
            raise StagingError(f"generated page '{rel}' would be written outside {gen}: "
                               "give its `path` relative to the site, without '..'")
        (gen / rel).parent.mkdir(parents=True, exist_ok=True)
        _write_if_changed(gen, rel, text)
    for path in sorted(gen.rglob("*.md")) if prune else ():
        if path.relative_to(gen).as_posix() not in wanted:
            path.unlink()


def _write_if_changed(folder: Path, rel: str, text: str) -> None:
    path = folder / rel
    try:
        if not path.is_symlink() and path.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    try:
        confine.write_file(folder, rel, text.encode("utf-8"))
    except confine.Outside as exc:
        raise StagingError(str(exc)) from None
