"""The last good site survives: build beside the site folder, swap it in only on success.

MkDocs cleans `site_dir` and writes into it page by page, and a strict build that finds a
problem aborts only after every page is written: a failed, crashed or killed build would leave
a broken or half-written site where the last good one was (and CI might publish it). So the
build writes into a fresh sibling folder; a build that ends well swaps it for the site folder,
one that fails removes it, and one that is killed leaves it beside the site (removed by the
next build), the site itself untouched.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from pathlib import Path

_PREFIX = ".chronicle-build-"
_MARK = ".chronicle-build"  # a file in every folder we made, so we delete only our own


def fresh(site_dir: Path) -> Path:
    """A new empty folder next to SITE_DIR to build into; earlier ones left by killed builds
    of the same site are removed first."""
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    for old in site_dir.parent.glob(f"{_PREFIX}{site_dir.name}-*"):
        if (old / _MARK).is_file():
            shutil.rmtree(old, ignore_errors=True)
    # Not mkdtemp: its folder is private (0700) and, renamed into place, would be the published
    # site's root, which a web server running as another user could not read. os.mkdir gives
    # the folder a plain MkDocs build's site would have (the umask's).
    while True:
        folder = site_dir.parent / f"{_PREFIX}{site_dir.name}-{secrets.token_hex(4)}"
        try:
            folder.mkdir()
            break
        except FileExistsError:
            continue
    (folder / _MARK).write_text(str(site_dir), encoding="utf-8")
    # Left behind by a killed build, it must not show in the author's `git status`.
    (folder / ".gitignore").write_text("# A build in progress, or a killed one; safe to delete.\n*\n",
                                       encoding="utf-8")
    return folder


def commit(built: Path, site_dir: Path) -> None:
    """Put the folder BUILT where SITE_DIR is. The old site is moved aside first and deleted
    last, so at every moment one complete site exists under one of the two names."""
    (built / _MARK).unlink(missing_ok=True)
    (built / ".gitignore").unlink(missing_ok=True)
    old: Path | None = None
    if site_dir.exists() or site_dir.is_symlink():
        old = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{site_dir.name}-old-", dir=site_dir.parent))
        (old / _MARK).write_text(str(site_dir), encoding="utf-8")
        (old / ".gitignore").write_text("*\n", encoding="utf-8")
        os.replace(site_dir, old / "site")
    os.replace(built, site_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def discard(built: Path) -> None:
    """Remove a build that failed; the site folder was never touched."""
    if (built / _MARK).is_file():
        shutil.rmtree(built, ignore_errors=True)


def is_serve_folder(site_dir: Path) -> bool:
    """`mkdocs serve` builds into a folder of its own in the system's temporary folder (and
    says "build" to plugins when run with --clean): it serves from it, so it must stay put."""
    return site_dir.parent == Path(tempfile.gettempdir()) and site_dir.name.startswith("mkdocs_")
