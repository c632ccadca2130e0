"""The files of a tree of the book, as the checker and the build see them: what a symlink
that leaves the project, loops or leads nowhere, or a file that is no regular file, would
let in is left out and reported instead (see confine.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from . import confine
from .problems import Problem


class Seen(NamedTuple):
    """What a look at the trees found before the book was loaded (see verdict.py), so that
    loading.load does not ask the file system again: each tree's walk, and some files' stat_key."""

    walks: dict[str, tuple[list[str], list[Problem]]]  # tree -> (its files, what the walk refused)
    stats: dict[str, tuple[int, int] | None]  # absolute path -> (size, mtime_ns), None if none


def walk(root: Path, rel: str, problems: list[Problem] | None = None) -> list[str]:
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
                elif entry.is_file():
                    out.append(rel_path)
                elif problems is not None:
                    # A named pipe would block the read for ever (and MkDocs' copy of it too); a
                    # socket or a device is no page either. None of them is read or published.
                    problems.append(Problem(rel_path, 1, 1, "error", "special-file",
                                            f"{rel_path} is not a regular file (a named pipe, socket or "
                                            "device): it is neither read nor published",
                                            hint="delete it, or move it out of the book's folders"))
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
