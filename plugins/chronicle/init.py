"""`chronicle init`: write a new book from the templates shipped in `templates/book/`.

Three steps, so that a refusal writes nothing: plan every file (the templates with the titles
filled in and each translation's `translated_from` worked out from its original as written),
find which of them exist, and only when none does, write them, each through a temporary file
and a rename so that no file is ever left half-written.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from .book import fingerprint

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

TEMPLATE = ("templates", "book")
DEFAULT_TITLE = "我的书"
DEFAULT_TITLE_EN = "My book"
_TRANSLATED_FROM = "{{translated_from}}"


class InitError(Exception):
    """A title or folder `init` cannot use (exit 2, nothing written)."""


@dataclass(frozen=True)
class Planned:
    rel: str  # '/'-separated, relative to the book's folder
    text: str


def _templates() -> dict[str, str]:
    """Every template file by its path in the new book."""
    out: dict[str, str] = {}

    def walk(node: Traversable, prefix: str) -> None:
        for child in node.iterdir():
            rel = f"{prefix}{child.name}"
            if child.is_dir():
                walk(child, rel + "/")
            elif child.name != "__pycache__":
                out[rel] = child.read_text(encoding="utf-8")

    root = resources.files("chronicle")
    for part in TEMPLATE:
        root = root / part
    walk(root, "")
    return out


def _check_title(option: str, title: str) -> str:
    title = title.strip()
    if not title:
        raise InitError(f"{option} is empty (give the book a title)")
    if any(ord(ch) < 32 or ch in "\x7f\u2028\u2029" for ch in title):
        raise InitError(f"{option} holds a line break or a control character (write the title on one line)")
    return title


def plan(title: str = DEFAULT_TITLE, title_en: str | None = None) -> list[Planned]:
    """The files of a new book, in the order they are written."""
    title = _check_title("--title", title)
    title_en = _check_title("--title-en", title_en if title_en is not None else
                            (DEFAULT_TITLE_EN if title == DEFAULT_TITLE else title))
    texts: dict[str, str] = {}
    for rel, text in sorted(_templates().items()):
        if rel.endswith((".yml", ".yaml")):
            # The YAML templates hold the titles inside double quotes: JSON's escapes are YAML's.
            values = {"title": json.dumps(title, ensure_ascii=False)[1:-1],
                      "title_en": json.dumps(title_en, ensure_ascii=False)[1:-1]}
        else:
            values = {"title": title, "title_en": title_en}
        for name, value in values.items():
            text = text.replace("{{" + name + "}}", value)
        texts[rel] = text
    for rel, text in texts.items():
        if _TRANSLATED_FROM in text:
            # x.en.md was translated from x.md as init writes it: record that, so the new book's
            # translations are up to date without git, and stale once their original changes.
            original = rel.rsplit(".", 2)[0] + ".md"
            texts[rel] = text.replace(_TRANSLATED_FROM, fingerprint(texts[original]))
    return [Planned(rel, text) for rel, text in texts.items()]


def conflicts(root: Path, files: list[Planned]) -> list[str]:
    """The planned paths that exist already (as anything), or that a file stands in the way of,
    or that a symlinked folder would send outside ROOT (the book would be written elsewhere)."""
    found: list[str] = []
    real_root = root.resolve()
    for item in files:
        path = root / item.rel
        if os.path.lexists(path):
            found.append(item.rel)
            continue
        parent = path.parent
        while parent != root and not os.path.lexists(parent):
            parent = parent.parent
        if parent == root:
            continue
        if not parent.is_dir() or not parent.resolve().is_relative_to(real_root):
            found.append(parent.relative_to(root).as_posix())
    return sorted(set(found))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    # os.open with a mode, unlike mkstemp's 0600, gives the file the permissions the umask allows.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def init_book(root: Path, title: str = DEFAULT_TITLE, title_en: str | None = None) -> list[str]:
    """Write a new book into ROOT (created if missing) and return the files written.

    Raises InitError, writing nothing, when ROOT is not a folder or any file would be overwritten.
    """
    files = plan(title, title_en)
    if os.path.lexists(root) and not root.is_dir():
        raise InitError(f"{root} exists and is not a folder")
    existing = conflicts(root, files) if root.is_dir() else []
    if existing:
        listed = "\n".join(f"  {rel}" for rel in existing)
        raise InitError(f"not writing anything: {len(existing)} path(s) in {root} are in the way (files it would "
                        f"write, or a file or a link out of the folder where it makes a folder):\n{listed}\n"
                        "(move them away, or choose another folder)")
    root.mkdir(parents=True, exist_ok=True)
    for item in files:
        _write(root / item.rel, item.text)
    return [item.rel for item in files]
