"""Translation status of every page and card: translated, missing or stale.

Stale means the default-language file changed after its translation: from the
translation's `translated_from` (the first 12 hex digits of the SHA-256 of the original
it was made from) when the author records it, else from git history.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .book import Book


@dataclass(frozen=True)
class Status:
    base: str
    lang: str
    state: str  # "translated", "missing", "stale"
    translation: str = ""
    reason: str = ""


def git_times(root: Path) -> dict[str, int]:
    """How recently each file was committed, in one `git log` (empty outside a repository).

    The value grows with recency: it is minus the position of the file's newest commit in
    the log, so commit order decides, not clocks (which rebases and CI machines skew).
    """
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "log", "--format=%x00", "--name-only", "--no-renames", "--relative"],
            capture_output=True, text=True, timeout=20, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    if out.returncode != 0:
        return {}
    times: dict[str, int] = {}
    current = 0
    for line in out.stdout.splitlines():
        if line.startswith("\x00"):
            current -= 1
        elif line.strip():
            times.setdefault(line.strip(), current)
    return times


def git_head(root: Path) -> str:
    """The commit ROOT's repository is at ("" outside one): git_times is a function of it."""
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"],
                             capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def statuses(book: Book, use_git: bool = True) -> list[Status]:
    """Every translation's state; computed once per book (it runs `git log`)."""
    key = f"statuses:{use_git}"
    if key not in book.memo:
        book.memo[key] = _statuses(book, use_git)
    return book.memo[key]


def _statuses(book: Book, use_git: bool) -> list[Status]:
    times = git_times(book.settings.root) if use_git else {}
    out: list[Status] = []
    for path in sorted(book.docs):
        doc = book.docs[path]
        if doc.lang != book.default:
            continue
        for lang in book.settings.other_languages:
            trans = book.translations.get(doc.base, {}).get(lang)
            if trans is None:
                if book.holds(doc.base, lang):  # a bilingual page: its own translation
                    out.append(Status(doc.base, lang, "translated", doc.base, "both languages in one file"))
                else:
                    out.append(Status(doc.base, lang, "missing"))
                continue
            recorded = book.docs[trans].fm.data.get("translated_from")
            if recorded is not None:
                now = doc.fingerprint
                # Unquoted, an all-digit hash is read by YAML as an int and loses its zeros.
                value = str(recorded).zfill(12) if isinstance(recorded, int) else str(recorded)
                if value != now:
                    out.append(Status(doc.base, lang, "stale", trans,
                                      f"translated_from {recorded}, original is now {now}"))
                    continue
                out.append(Status(doc.base, lang, "translated", trans))
                continue
            t_orig, t_trans = times.get(doc.base), times.get(trans)
            if t_orig and t_trans and t_orig > t_trans:
                out.append(Status(doc.base, lang, "stale", trans, "the original was committed after its translation"))
            else:
                out.append(Status(doc.base, lang, "translated", trans))
    return out
