"""The staging folder: one docs_dir made of two symlinks, plus generated pages.

MkDocs refuses `docs_dir: .`, and mkdocs-static-i18n only localizes files that lie in
docs_dir. A git-ignored folder holding relative symlinks to `manuscript/` and
`knowledge/` gives MkDocs one tree in which the repository's relative links
(`../../knowledge/...` from a chapter) resolve as they do on GitHub, and `mkdocs serve`
watches both trees through it.
"""

from __future__ import annotations

import os
from pathlib import Path

GENERATED = "_chronicle"


def strip_site_prefix(path: str, docs_dir: str) -> str:
    """Chapters and generated pages sit at the site root: drop their folder from a path."""
    for prefix in (docs_dir + "/", GENERATED + "/"):
        if path.startswith(prefix):
            return path[len(prefix):]
    return path


class StagingError(Exception):
    pass


def prepare(root: Path, staging: str, trees: list[str]) -> Path:
    """Create ROOT/STAGING with a relative symlink per tree; return its absolute path."""
    folder = (root / staging).resolve()
    if root.resolve() not in folder.parents:
        raise StagingError(f"staging_dir '{staging}' must be a folder inside the project")
    folder.mkdir(exist_ok=True)
    _write_if_changed(folder / ".gitignore", "# Made by the chronicle plugin; safe to delete.\n*\n")
    for tree in trees:
        if not (root / tree).is_dir():
            continue
        link = folder / tree
        target = os.path.relpath(root / tree, link.parent)
        if link.is_symlink():
            if os.readlink(link) == target:
                continue
            link.unlink()
        elif link.exists():
            raise StagingError(f"{link} exists and is not the symlink the plugin makes; delete it")
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, link, target_is_directory=True)
    return folder


def write_generated(folder: Path, files: dict[str, str]) -> None:
    """Write generated pages, touching only those that changed (serve would rebuild forever)."""
    gen = folder / GENERATED
    gen.mkdir(exist_ok=True)
    wanted = set(files)
    for rel, text in files.items():
        path = gen / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_if_changed(path, text)
    for path in sorted(gen.rglob("*.md")):
        if path.relative_to(gen).as_posix() not in wanted:
            path.unlink()


def _write_if_changed(path: Path, text: str) -> None:
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    path.write_text(text, encoding="utf-8")
