"""What Python-Markdown can render in bounded time and depth: cheap measures of a page.

Python-Markdown's inline processing rebuilds a paragraph's whole text for every link it
replaces, and its link pattern reads on from every '[' (a 50,000-line paragraph of links:
minutes of build; 2,000 unclosed '[ ' in a paragraph: 3.4 s, 1,000: 0.6 s). Plain text
costs nothing of the kind (a 50,000-word line or 40,000 lines of one paragraph: 0.05 s),
so a paragraph is measured by the brackets, tags and backticks in it, not by its length.
Its list
and blockquote processors recurse once per level, re-reading the nested text at each
(lists nested 400 deep: a RecursionError; blockquotes 1,000 deep: seconds per line).
A page past these limits is reported and not given to Python-Markdown at all.

The limits were measured on the build (see benchmarks/bench_pathological.py): a page just
under each renders in well under a second, and real books stay far below them (the longest
paragraph of the sample and generated books is 31 lines, 2.7 KB; nesting is at most 4).
"""

from __future__ import annotations

import re
from typing import NamedTuple

MAX_PARAGRAPH_BRACKETS = 1000  # '[' in one paragraph
MAX_PARAGRAPH_MARKUP = 5000  # '[', '<' and '`' in one paragraph
MAX_DEPTH = 32


class Limit(NamedTuple):
    """A measure past its limit, at the line (1-based) and offset where its block starts."""

    line: int
    offset: int
    message: str
    hint: str


# A line whose first MAX_DEPTH characters could all be nesting (quote and list markers,
# indentation) and which has text after them: without one, no line is nested that deep.
_MAYBE_DEEP = re.compile(r"\n[ \t>*+\-.)0-9]{" + str(MAX_DEPTH) + r"}[ \t>*+\-.)0-9]*+[^ \t\n]")
# The containers a line opens: blockquote markers, list markers, the blanks between them.
_PREFIX = re.compile(r"(?:[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$)))*[ \t]*")
_MARKER = re.compile(r">|(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$)")
_LIST_MARKER = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$)")
# A line that starts an element of its own (a list item, a table row, a heading, a quote's
# first line...), so does not add to the paragraph above it.
_OWN_BLOCK = re.compile(r" {0,3}(?:[-*+] |\d{1,9}[.)] |\||#|>|```|~~~|<)")


def page_limits(clean: str, body_offset: int = 0) -> list[Limit]:
    """Paragraphs too long and nesting too deep in CLEAN (the text with code blanked, as the
    scanner has it), from BODY_OFFSET on. Cheap: a page that cannot be past a limit (most:
    smaller than a paragraph may be, no line indented that far) is not read line by line."""
    brackets = clean.count("[", body_offset)
    # Each count reads the whole page: the markup is counted only where there is room for
    # that much of it.
    long_text = brackets > MAX_PARAGRAPH_BRACKETS or (
        len(clean) - body_offset > MAX_PARAGRAPH_MARKUP
        and brackets + clean.count("<", body_offset) + clean.count("`", body_offset) > MAX_PARAGRAPH_MARKUP)
    start = max(body_offset - 1, 0)
    deep = _MAYBE_DEEP.search(clean, start) is not None or (
        body_offset == 0 and _MAYBE_DEEP.match("\n" + clean[:4 * MAX_DEPTH + 64]) is not None)
    if not long_text and not deep:
        return []
    return _measure(clean, body_offset)


def _measure(clean: str, body_offset: int) -> list[Limit]:
    out: list[Limit] = []
    line_no = clean.count("\n", 0, body_offset) + 1
    pos, n = body_offset, len(clean)
    para_line = para_pos = -1  # where the paragraph being read started (-1: none)
    para_brackets = para_markup = 0
    para_reported = False
    # Where a nesting starts: the last line at the top level, or the first after a blank line.
    top_line, top_pos = line_no, pos
    depth_reported = False
    deepest = deep_index = 0
    after_blank = False
    while pos <= n:
        end = clean.find("\n", pos)
        if end < 0:
            end = n
        line = clean[pos:end]
        prefix = _PREFIX.match(line).group()  # type: ignore[union-attr]
        rest = line[len(prefix):]
        if not rest.strip():
            para_line = -1
            after_blank = True
        else:
            markers = len(_MARKER.findall(prefix))
            # The blank after each marker belongs to it; the rest is indentation, 4 a level.
            depth = markers + max(_columns(prefix) - markers, 0) // 4
            new_top = depth <= 1 or (after_blank and not depth_reported)
            after_blank = False
            if new_top:
                top_line, top_pos, depth_reported = line_no, pos, False
            if depth > MAX_DEPTH and (not depth_reported or depth > deepest):
                # One problem per nesting, saying how deep it goes at its deepest.
                found = Limit(top_line, top_pos,
                              f"lists or quotes nested {depth} deep, which Python-Markdown cannot render",
                              f"nest lists and quotes at most {MAX_DEPTH} deep")
                if depth_reported:
                    out[deep_index] = found
                else:
                    deep_index = len(out)
                    out.append(found)
                depth_reported, deepest = True, depth
            # A list item starts a paragraph of its own; a quote's lines go on with its paragraph.
            if para_line < 0 or _LIST_MARKER.search(prefix) or _OWN_BLOCK.match(rest):
                para_line, para_pos, para_brackets, para_markup, para_reported = line_no, pos, 0, 0, False
            opened = line.count("[")
            para_brackets += opened
            para_markup += opened + line.count("<") + line.count("`")
            if not para_reported and (para_brackets > MAX_PARAGRAPH_BRACKETS or para_markup > MAX_PARAGRAPH_MARKUP):
                para_reported = True
                out.append(Limit(para_line, para_pos,
                                 f"a paragraph with more than {MAX_PARAGRAPH_BRACKETS} links or brackets, or "
                                 f"{MAX_PARAGRAPH_MARKUP} links, tags and code spans, too many for Python-Markdown",
                                 "split the paragraph with blank lines"))
        line_no += 1
        pos = end + 1
    return out


def _columns(prefix: str) -> int:
    """Columns of the blanks in PREFIX (a tab counts 4)."""
    return prefix.count(" ") + 4 * prefix.count("\t")
