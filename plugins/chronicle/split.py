"""`chronicle split`: a bilingual page (see bilingual.py) made into `x.md` and `x.en.md`.

Headings written `中文 (English)` are split in two; paragraphs, list items, quotes and
admonitions go by their script (a Han character: Chinese, else the other language); fenced
code, tables, images, lines of links only, link definitions and the front matter (less
`languages:`; `title_en` becomes the English file's `title`) go into both. Each block keeps its
bytes. The English file records the Chinese one's fingerprint in `translated_from`, so the
pair starts out translated, not stale.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import confine
from .bilingual import han_language, has_han, split_title
from .book import Book, fingerprint


class Refusal(Exception):
    """The page cannot be split (the CLI's exit status 1)."""


@dataclass
class Split:
    path: str  # the bilingual page, a repository path
    target: str  # the translation it writes, beside it
    before: str
    han: str  # the new text of PATH
    other: str  # the text of TARGET


_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?(\s*\{[^{}\n]*\})?[ \t]*$")
_ITEM = re.compile(r"^([ \t]*)(?:[-*+]|\d{1,9}[.)])[ \t]+")
_CONTAINER = re.compile(r"^(?:!!!|\?\?\?\+?)[ \t]")
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
# What a line of links only is made of, once its links are gone: separators, nothing else.
_LINKS = re.compile(r"!?\[\[[^\]\n]*\]\]|!?\[[^\]\n]*\]\([^)\n]*\)|!?\[[^\]\n]*\]\[[^\]\n]*\]|<[a-z][^>\n]*>")
_SEPARATORS = re.compile(r"^[\s,;|/·•、，；。.-]*$")
_REFDEF = re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\S")
_NEUTRAL = re.compile(r"^[ \t]*(?:<!--.*-->|(?:[-*_][ \t]*){3,})[ \t]*$")
# What does not tell a paragraph's language: link targets, ids, code spans.
_NOT_TEXT = re.compile(r"\]\([^)\n]*\)|\[\[[^\]\n]*\]\]|`[^`\n]*`|<[^>\n]*>")


def _neutral(lines: list[str]) -> bool:
    """Lines for both files: each a line of links or images only, a link definition, a rule, a comment."""
    for line in lines:
        if _REFDEF.match(line) or _NEUTRAL.match(line):
            continue
        if not _LINKS.search(line) or not _SEPARATORS.match(_LINKS.sub("", line)):
            return False
    return True


def _script(lines: list[str]) -> str:
    return "han" if has_han(_NOT_TEXT.sub("", "".join(lines))) else "other"


def split_body(body: str) -> tuple[list[str], list[str]]:
    """BODY's lines for the file in Han characters and for the other one."""
    lines = body.splitlines(keepends=True)
    blocks: list[tuple[str, list[str]]] = []
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        if not line.strip():
            blocks.append(("blank", [line]))
            i += 1
            continue
        fence = _FENCE.match(line)
        if fence:
            mark = fence.group(1)
            j = i + 1
            while j < n and not re.match(r"^[ \t]{0,3}" + re.escape(mark[0]) + "{" + str(len(mark)) + r",}[ \t]*$",
                                         lines[j]):
                j += 1
            blocks.append(("both", lines[i:j + 1]))
            i = j + 1
            continue
        heading = _HEADING.match(line.rstrip("\n"))
        if heading:
            hashes, text, attrs = heading.group(1), heading.group(2), heading.group(3) or ""
            pair = split_title(text)
            end = "\n" if line.endswith("\n") else ""
            if pair is None:
                blocks.append((_script([text]), [line]))
            else:
                blocks.append(("han", [f"{hashes} {pair[0]}{attrs}{end}"]))
                blocks.append(("other", [f"{hashes} {pair[1]}{attrs}{end}"]))
            i += 1
            continue
        j = i + 1
        if _CONTAINER.match(line):
            # An admonition: its title line and its indented body, blank lines within included.
            while j < n and (not lines[j].strip() or lines[j].startswith(("    ", "\t"))):
                j += 1
            while j > i + 1 and not lines[j - 1].strip():
                j -= 1
            block = lines[i:j]
            blocks.append(("both" if _neutral(block) else _script(block), block))
            i = j
            continue
        item = _ITEM.match(line)
        if item:
            indent = len(item.group(1).expandtabs(4))
            while j < n and lines[j].strip() and not _FENCE.match(lines[j]) and not (
                    (m := _ITEM.match(lines[j])) and len(m.group(1).expandtabs(4)) <= indent):
                j += 1
            block = lines[i:j]
            blocks.append(("both" if _neutral(block) else _script(block), block))
            i = j
            continue
        while j < n and lines[j].strip() and not _FENCE.match(lines[j]) and not _HEADING.match(lines[j]) \
                and not _ITEM.match(lines[j]):
            j += 1
        block = lines[i:j]
        table = len(block) > 1 and "|" in block[0] and _TABLE_RULE.match(block[1]) is not None
        blocks.append(("both" if table or _neutral(block) else _script(block), block))
        i = j
    han: list[str] = []
    other: list[str] = []
    for where, block in blocks:
        for out, side in ((han, "han"), (other, "other")):
            if where == "blank":
                if out and out[-1].strip():  # removed blocks leave no run of blank lines behind
                    out.append(block[0])
            elif where in (side, "both"):
                if out and out[-1].strip() and not out[-1].endswith("\n"):
                    out[-1] += "\n"
                out.extend(block)
    for out in (han, other):
        while out and not out[-1].strip():  # a removed last block leaves no blank line at the end
            out.pop()
        if out and not out[-1].endswith("\n"):
            out[-1] += "\n"
    return han, other


def _front_matter(raw: str, data: dict[str, object], lang: str, han_lang: str) -> str:
    """The front matter's lines for LANG's file: without `languages:` (and its items), and with
    `title_<lang>` as `title` in the file of that language (dropped from the other)."""
    entries: list[tuple[str | None, list[str]]] = []
    for line in raw.splitlines(keepends=True):
        m = re.match(r"^([A-Za-z_][\w-]*)[ \t]*:", line)
        if m or not entries:
            entries.append((m.group(1) if m else None, [line]))
        else:
            entries[-1][1].append(line)
    titles = {key: lines for key, lines in entries if key and key.startswith("title_")}
    out: list[str] = []
    for key, lines in entries:
        if key == "languages" or (key in titles):
            continue
        if key == "title":
            own = titles.get(f"title_{lang}")
            if own is not None:
                out.append(re.sub(r"^title_[\w-]+", "title", own[0]) + "".join(own[1:]))
                continue
            value = data.get("title")
            pair = split_title(value) if isinstance(value, str) else None
            if pair is not None:
                shown = pair[0] if lang == han_lang else pair[1]
                out.append("title: " + yaml.safe_dump(shown, allow_unicode=True, width=1 << 20)
                           .removesuffix("...\n").strip() + "\n")
                continue
        out.extend(lines)
    if "title" not in data and f"title_{lang}" in titles:
        own = titles[f"title_{lang}"]
        out.insert(0, re.sub(r"^title_[\w-]+", "title", own[0]) + "".join(own[1:]))
    return "".join(out)


def plan_split(book: Book, path: str) -> Split:
    """How PATH (a repository path) splits in two. Raises Refusal."""
    s = book.settings
    doc = book.docs.get(path)
    if doc is None or doc.lang != s.default_language:
        raise Refusal(f"{path} is not a page of the book in {s.default_language}")
    if path not in book.bilingual:
        raise Refusal(f"{path} is not a bilingual page: its front matter has no 'languages: "
                      f"[{', '.join(s.languages)}]' and no glob of the option 'bilingual' matches it")
    han_lang = han_language(s.languages)
    others = [lang for lang in sorted(book.bilingual[path]) if lang != han_lang]
    if han_lang is None or len(others) != 1 or s.default_language != han_lang:
        raise Refusal(f"{path}: split tells Chinese from one other language by script; the book's "
                      f"languages are {', '.join(s.languages)}")
    other = others[0]
    target = f"{path[:-3]}.{other}.md"
    if target in book.files or os.path.lexists(os.path.join(s.root, target)):
        raise Refusal(f"{target} exists: split never overwrites a file (delete it, or merge by hand)")
    text = doc.text.replace("\r\n", "\n").removeprefix("\ufeff")
    fm = doc.fm
    if fm.error:
        raise Refusal(f"{path}: its front matter is not valid YAML: {fm.error}")
    head, body = text[:fm.body_offset], text[fm.body_offset:]
    han_lines, other_lines = split_body(body)
    han_text, other_text = "".join(han_lines), "".join(other_lines)
    if fm.raw:
        start = head.index(fm.raw) if fm.raw in head else None
        if start is None:
            raise Refusal(f"{path}: cannot find its front matter's lines")
        before, after = head[:start], head[start + len(fm.raw):]
        han_fm = _front_matter(fm.raw, fm.data, han_lang, han_lang)
        han_text = (before + han_fm + after if han_fm.strip() else "") + han_text
        other_fm = _front_matter(fm.raw, fm.data, other, han_lang)
    else:
        other_fm = ""
    # The translation records what it was made from: the pair starts out translated.
    other_fm += f'translated_from: "{fingerprint(han_text)}"\n'
    other_text = "---\n" + other_fm + "---\n" + other_text
    return Split(path, target, text, han_text, other_text)


def write_new(root: Path, rel: str, data: bytes) -> None:
    """Write ROOT/REL, a file that must not exist, atomically: a temporary file linked to its
    name (which fails if something took the name meanwhile), never renamed over anything."""
    path = root / rel
    parent = confine.real(path.parent)
    if not confine.within(confine.real(root), parent):
        raise confine.Outside(rel, parent)
    fd, tmp = tempfile.mkstemp(dir=parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.link(tmp, os.path.join(parent, path.name))
    finally:
        os.unlink(tmp)


def apply_split(root: Path, plan: Split, crlf: bool = False) -> None:
    """Write the translation (new), then the original's new text (replaced atomically)."""

    def encode(text: str) -> bytes:
        return (text.replace("\n", "\r\n") if crlf else text).encode("utf-8")

    write_new(root, plan.target, encode(plan.other))
    confine.write_file(root, plan.path, encode(plan.han))
