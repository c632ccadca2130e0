"""Translation status of every page and card: translated, missing or stale.

Stale means the default-language file changed after its translation: from the
translation's `translated_from` (the first 12 hex digits of the SHA-256 of the original
it was made from) when the author records it, else from git history.
"""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .book import Book


@dataclass(frozen=True)
class Status:
    base: str
    lang: str
    state: str  # "translated", "missing", "stale"
    translation: str = ""
    reason: str = ""


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def git_times(root: Path) -> dict[str, int]:
    """Last commit time of every file, in one `git log` (empty outside a repository)."""
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "log", "--format=%x00%ct", "--name-only", "--no-renames", "--relative"],
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
            current = int(line[1:] or 0)
        elif line.strip():
            times.setdefault(line.strip(), current)
    return times


def statuses(book: Book, use_git: bool = True) -> list[Status]:
    times = git_times(book.settings.root) if use_git else {}
    out: list[Status] = []
    for path in sorted(book.docs):
        doc = book.docs[path]
        if doc.lang != book.default:
            continue
        for lang in book.settings.other_languages:
            trans = book.translations.get(doc.base, {}).get(lang)
            if trans is None:
                out.append(Status(doc.base, lang, "missing"))
                continue
            recorded = book.docs[trans].fm.data.get("translated_from")
            if recorded:
                now = fingerprint(doc.text)
                if str(recorded) != now:
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
