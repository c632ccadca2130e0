"""What may be read and what may be written: the two questions every file access asks first.

A book takes pull requests from strangers and CI builds them, so a symlink, an option or a
link must never make the build read a file outside the project (and publish it) or write into
the author's folders. Both rules are decided here, on paths with every symlink resolved, and
nowhere else: `readable` for the trees, the bibliography and every path a link names;
`check_output_folder` for the folders the tools write (cache, staging, site).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


class Outside(Exception):
    """A path leads out of the project: PATH as written, TARGET where it really leads."""

    def __init__(self, path: str, target: str) -> None:
        super().__init__(f"{path} leads outside the project, to {target}")
        self.path = path
        self.target = target


def real(path: str | os.PathLike[str]) -> str:
    """PATH with every symlink resolved (a missing tail is kept as written, as realpath does)."""
    return os.path.realpath(path)


def within(real_root: str, real_path: str) -> bool:
    """Whether REAL_PATH is REAL_ROOT or lies under it (both already resolved)."""
    return real_path == real_root or real_path.startswith(real_root.rstrip(os.sep) + os.sep)


def readable(root: Path | str, path: str | os.PathLike[str]) -> str:
    """The resolved path of PATH (relative to ROOT, or absolute) if it may be read: inside the
    project once every symlink on the way is followed. Raises Outside otherwise."""
    real_root = real(root)
    full = os.path.join(str(root), os.fspath(path))
    resolved = real(full)
    if not within(real_root, resolved):
        raise Outside(os.fspath(path), resolved)
    return resolved


def is_readable(root: Path | str, path: str | os.PathLike[str]) -> bool:
    try:
        readable(root, path)
    except Outside:
        return False
    return True


def check_output_folder(root: Path | str, folder: str | os.PathLike[str], sources: Iterable[str],
                        *, inside_project: bool = True) -> str:
    """The resolved FOLDER if the tools may write there; else ValueError saying why not.

    FOLDER is written wholesale (a cache, a staging tree, a site that is cleaned before each
    build), so it must not be a source folder, lie inside one, or hold one (the project root
    holds them all). With INSIDE_PROJECT it must also lie inside the project: the cache and the
    staging folder come from mkdocs.yml, which a pull request may change.
    """
    real_root = real(root)
    resolved = real(os.path.join(str(root), os.fspath(folder)))
    if inside_project and (resolved == real_root or not within(real_root, resolved)):
        where = "is the project folder itself" if resolved == real_root else f"leads outside the project, to {resolved}"
        raise ValueError(f"'{os.fspath(folder)}' {where}")
    for source in sources:
        src = real(os.path.join(str(root), source))
        if within(src, resolved):
            raise ValueError(f"'{os.fspath(folder)}' lies inside the source folder '{source}'")
        if within(resolved, src):
            raise ValueError(f"'{os.fspath(folder)}' holds the source folder '{source}'")
    return resolved


def write_file(folder: Path, rel: str, data: bytes) -> None:
    """Write FOLDER/REL whole, through a temporary file renamed over it: a symlink planted
    there (a pull request can commit one into a git-ignored folder) is replaced, never
    followed, and a reader sees the old file or the new one. REL must stay inside FOLDER."""
    path = folder / rel
    parent = real(path.parent)
    if not within(real(folder), parent):
        raise Outside(rel, parent)
    import tempfile  # only a run that writes pays for its import

    fd, tmp = tempfile.mkstemp(dir=parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, os.path.join(parent, path.name))
    except BaseException:
        os.unlink(tmp)
        raise


def snippets_problem(root: Path | str, options: dict[str, object] | None) -> str:
    """Why pymdownx.snippets, as configured, could include a file from outside the project
    ("" when it cannot). Its base paths are relative to the working folder, as it reads them."""
    if options is None:
        return ""
    if options.get("restrict_base_path", True) is False:
        return "restrict_base_path: false lets a snippet include any file; remove it"
    if options.get("url_download"):
        return "url_download: true makes the build fetch files from the network; remove it"
    bases = options.get("base_path", ["."])
    for base in [bases] if isinstance(bases, str) else list(bases) if isinstance(bases, list) else []:
        resolved = real(os.path.abspath(str(base)))
        if not within(real(root), resolved):
            return f"base_path '{base}' leads outside the project, to {resolved}: use a folder of the project"
    return ""
