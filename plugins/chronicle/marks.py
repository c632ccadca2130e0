"""Broken references shown on the page, where they are, while the author serves the book.

A build that is not strict (`mkdocs serve`, `mkdocs build`) goes on past a broken reference;
the log says where it is, but the author is looking at the page. There, each reference the
checks found broken (an error; warnings stay in the log) is followed by a mark with the
problem's message, a link to the list of the page's problems under its title, each with its
place in the file and its hint. A strict build fails on them instead, and never shows them.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import scanner
from .l10n import t
from .problems import Problem
from .render import Blocks
from .safe import Markup, join, tag

ANCHOR = "chronicle-problems"


def written(ref: scanner.Ref) -> list[str]:
    """What the checks give as the `target` of a problem of REF (checks.py)."""
    if ref.kind == "wikilink":
        return [f"[[{ref.target}]]"]
    if ref.kind in ("embed", "embed-inline"):
        return [f"![[{ref.target}]]"]
    if ref.kind == "cite":
        return ["@" + key for key in ref.keys]
    return [ref.target]


def insert_marks(markdown: str, source: str, problems: Sequence[Problem], blocks: Blocks) -> str:
    """MARKDOWN (the page as MkDocs passes it: the file SOURCE less its front matter) with a
    mark after each reference that has one of PROBLEMS."""
    numbers = {p: i for i, p in enumerate(problems, 1)}
    # Lines of MARKDOWN are lines of the file less those MkDocs took away before it.
    offset = source[: len(source) - len(markdown)].count("\n") if source.endswith(markdown) else None
    by_place: dict[tuple[int, str], list[Problem]] = {}
    by_target: dict[str, list[Problem]] = {}
    for p in problems:
        if p.target:
            by_place.setdefault((p.line, p.target), []).append(p)
            by_target.setdefault(p.target, []).append(p)
    if not by_target:
        return markdown
    places: list[tuple[int, str]] = []
    link_end = -1  # the end of the link whose text the reference is in: a mark is no link in a link
    for ref in sorted(scanner.scan(markdown).refs, key=lambda r: r.start):
        inside = ref.start < link_end
        if ref.kind in _LINKS and not inside:
            link_end = ref.end
        found: list[Problem] = []
        for target in written(ref):
            here = by_place.get((ref.line + offset, target)) if offset is not None else None
            found += here if here else by_target.get(target, [])[:1]
        if found:
            html = blocks.inline(join(" ", (mark(p, numbers[p]) for p in dict.fromkeys(found))))
            places.append((link_end if inside else ref.end, html))
    out: list[str] = []
    pos = 0
    for at, html in sorted(places, key=lambda place: place[0]):
        out += [markdown[pos:at], html]
        pos = at
    out.append(markdown[pos:])
    return "".join(out)


_LINKS = frozenset(("link", "image", "reflink"))


def mark(problem: Problem, number: int) -> Markup:
    """The mark after a broken reference: its message, a link to its entry in the list."""
    return tag("a", f"⚠ {problem.message}", class_=f"chronicle-problem chronicle-problem--{problem.severity}",
               href=f"#{ANCHOR}-{number}", title=problem.hint or None, data_code=problem.code)


def panel(lang: str, problems: Sequence[Problem]) -> Markup:
    """The page's problems, each with its place, code, message and hint."""
    items = []
    for i, p in enumerate(problems, 1):
        hint = [Markup(" "), tag("em", t(lang, "problem_hint") + p.hint)] if p.hint else []
        items.append(tag("li", tag("code", f"{p.file}:{p.line}:{p.column}"), " ",
                         tag("strong", f"{p.severity} {p.code}"), f": {p.message}.", *hint, id=f"{ANCHOR}-{i}"))
    return tag("div", tag("p", t(lang, "problems_title"), class_="admonition-title"),
               tag("p", t(lang, "problems_body")), tag("ol", join("", items)),
               class_="admonition failure chronicle-problems", id=ANCHOR, data_search_exclude="true")
