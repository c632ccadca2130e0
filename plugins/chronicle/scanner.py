"""One pass over a Markdown source: references, definitions and anchors, with positions.

Python-Markdown keeps no line numbers, so this is where positions come from. Code is
never looked at: fenced and indented code blocks, code spans and HTML comments are
blanked out first (same length, newlines kept), so every offset found in the blanked
text is an offset in the source. Nor is the front matter: every pass starts where the body
does.
"""

from __future__ import annotations

import functools
import html
import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from . import limits

Slugify = Callable[[str, str], str]
Kind = Literal["link", "image", "reflink", "wikilink", "embed", "cite", "html-link", "html-image", "refdef",
               "embed-inline", "wiki-syntax", "page-too-complex"]

_FENCE_OPEN = re.compile(r"\n([ \t]*)(`{3,}|~{3,})([^\n]*)(?=\n|\Z)")
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
# The backtick outside the group: only a pattern that starts with a literal lets the
# engine skip ahead (a group first makes it try every character, ten times slower).
_CODE_SPAN = re.compile(r"`(`*)(?!`)(.+?)(?<!`)`\1(?!`)", re.S)
_TICKS = re.compile(r"`+")
# An indented block starts after a blank line, or right after a line that is a block of its
# own: an ATX heading, an admonition's first line, a one-line HTML comment.
_INDENTED = re.compile(r"\n(?:[ \t]*| {0,3}(?:#{1,6}(?:[ \t][^\n]*)?|(?:!!!|\?\?\?\+?)[ \t][^\n]*"
                       r"|<!--[^\n]*-->[ \t]*))"
                       r"\n((?:(?: {4}|\t)[^\n]*(?:\n|\Z)|[ \t]*\n(?=(?: {4}|\t)))+)")
# Indented code in a blockquote: quote lines whose text, after the markers and one blank,
# is indented 4, opening the quote or after a blank line of it (group 2: the code's text).
_QUOTED_CODE = re.compile(
    r"\n(?:[ \t]*|(?! {0,3}>)[^\n]*| {0,3}>(?:[ \t]*>)*[ \t]*)\n"
    r"((?: {0,3}>(?:[ \t]*>)*) ?(?: {4}|\t))([^\n]*(?:\n(?:\1)[^\n]*)*)")
# A line that could hold a quote's indented code (_QUOTED_CODE's group 1): a cheap test first,
# since that pattern reads every line twice, and most pages with a '>' have no such line.
_QUOTED_LINE = re.compile(r"\n {0,3}>(?:[ \t]*>)* ?(?: {4}|\t)")
_QUOTED_LINE_START = re.compile(r" {0,3}>(?:[ \t]*>)* ?(?: {4}|\t)")
_CONTAINER = re.compile(r"^( {0,3})([-*+][ \t]+|\d{1,9}[.)][ \t]+|(?:!!!|\?\?\?\+?|===)\s|\[\^[^\]\n]+\]:)")

_CITE_KEYS = re.compile(r"@([\w:.+/-]+)")
# <a href> and <img src> in one pass: group 1 is set for <a>, and the conditional picks the
# attribute that tag takes.
_HTML_REF = re.compile(r"<(?:(a)|img)\s[^>]*?\b(?(1)href|src)\s*=\s*(\"[^\"]*\"|'[^']*')", re.I)
_HTML_OPEN = re.compile(r"<(?:(a)|img)\s", re.I)

# One pass finds every construct that opens with '[': starting with a literal lets the
# regex engine jump from bracket to bracket instead of trying at every character.
#
# Each start is read only as far as the construct it may open (so a run of unclosed '['
# costs its length), with two exceptions made linear: a '[' after a backslash (the author's
# escape, dropped by _brackets anyway) is not taken as opening link text, which would read
# to the same end from every '\[' of a run; and the blanks that open a URL are taken at once
# (group u), or (group ue, an empty URL before a title) all but the last (a URL's opening
# blanks given back one by one, each then read again as the blanks before a title, made a
# long run of them cost its square).
_TITLE = r"(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\))"
_BRACKET = re.compile(
    r"\[(?:"
    r"\[(?P<w>[^\[\]\n]*)\]\]"
    r"|(?P<c>@[\w:.+/-]+[^\S\n]*(?:;[^\S\n]*@[\w:.+/-]+[^\S\n]*)*)\](?![(\[])"
    r"|(?<!\\\[)(?P<t>(?:[^\[\]\n\\]++|\\.|\[(?:[^\[\]\n\\]++|\\.)*+\])*+)\]"
    r"(?:\((?:\s*+(?P<u><[^<>\n]*>|(?:[^\s()\\]++|\\.|\((?:[^\s()\\]|\\.)*\))*+)"
    r"(?:\s++" + _TITLE + r")?\s*+\)"
    r"|\s*+(?<=\s)(?P<ue>)" + _TITLE + r"\s*+\)"
    r")"
    r"|\[(?P<l>(?:[^\[\]\n\\]|\\.)*)\]"
    r"|(?P<d>:)[ \t]*(?P<du><[^>\n]*>|\S+)"
    r")?)"
)
# `[[` with no `]]` on its line before the next bracket (a `[[[` or `\\[[` is left alone:
# _references), and the word it opens, to name it by. A literal first: the engine skips ahead.
_WIKI_UNCLOSED = re.compile(r"\[\[(?!\[)(?![^\[\]\n]*\]\])\S{0,30}")
_DEFINITION = re.compile(r"\[(?P<t>(?:[^\[\]\n\\]|\\.)*)\]:[ \t]*(?P<du><[^>\n]*>|\S+)")
# Patterns for line starts begin with a literal newline (the text gets one prepended):
# '^' under re.M makes the engine try every character, a literal lets it skip ahead.
# The heading's text is taken greedily (a lazy group would try the end of the pattern at
# every character) and its trailing blanks stripped afterwards.
# ATX headings and setext underlines in one pass over the line starts: groups 1-2 for
# `## text`, group 3 for a line of `=` or `-`. _HEADING_START: the same, on the first line.
_HEADING = r" {0,3}(?:(#{1,6})(?:[ \t]+([^\n]*))?|(=+|-+)[ \t]*)(?=\n|\Z)"
_HEADING_LINE = re.compile("\n" + _HEADING)
_HEADING_START = re.compile(_HEADING)
_ATTR_TAIL = re.compile(r"\{:?\s*([^{}\n]*)\}\s*$")
_ATTR_ID = re.compile(r"(?:^|\s)#([^\s}#]+)")
# Each of these fails, where it fails, after reading to the end of a stretch (the line, the
# next '>'), and would fail again from every later start inside it: the second alternative
# passes over the whole stretch (its group is empty), so that a run of unclosed `<p id=` or
# `[^` costs its length, not its square.
_HTML_ID = re.compile(r"<[a-zA-Z](?:[^>]*?\b(?:id|name)\s*=\s*[\"']([^\"']+)[\"']|[^>]*)")
_FOOTNOTE_DEF = re.compile(r"\[\^(?:([^\]\n]++)\]:|[^\]\n]*)")
# `{... #id ...}`, as \{:?\s*(?:[^{}\n]*?\s)?#([\w:.-]+)[^{}\n]*\} finds it. After the blanks
# that open it, the braces close on the same line (group 1, that pattern as it is) or at the
# end of the next, when that line starts with the #id (group 2): a lookahead tells which, so
# that a line of ` #a` that never closes is read once, not once for each `#`.
_ANY_ATTR_ID = re.compile(
    r"\{(?:(?=:?\s*+[^{}\n]*+\}):?\s*(?:[^{}\n]*?\s)?#([\w:.-]++)[^{}\n]*+\}"
    r"|(?=:?\s*+[^{}\n]*+\n[^{}\n]*+\}):?\s*+[^{}\n]*+\n#([\w:.-]++)[^{}\n]*+\})"
)
_MARKUP_CHAR = re.compile(r"[\[<*_`~&]")
_INLINE_MARK = re.compile(r"!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\[[^\]]*\]|<[^>]+>|[*_`~]+")


@dataclass(slots=True)
class Ref:
    """One reference as the author wrote it."""

    kind: Kind
    start: int
    end: int
    target: str  # the reference as written: a URL, an id (with #anchor), a citation key
    text: str = ""  # link text or [[id|text]]'s own text
    keys: tuple[str, ...] = ()  # for citations
    target_start: int = 0  # offset of the URL inside the source (for rewriting)
    target_end: int = 0
    line: int = 0  # 1-based position of `start`, filled in by scan()
    col: int = 0


@dataclass(slots=True)
class Heading:
    level: int
    text: str
    explicit_id: str | None
    start: int


@dataclass
class Scan:
    """What one pass over a source found."""

    text: str
    clean: str
    refs: list[Ref]
    definitions: dict[str, str]
    headings: list[Heading]
    offset: int = 0  # where the body starts (after the front matter): nothing before it is read


def _blank(segment: str) -> str:
    if "\n" not in segment:
        return " " * len(segment)
    return "\n".join(" " * len(line) for line in segment.split("\n"))


def blank_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """TEXT with each (start, end) span turned to spaces, newlines kept (so offsets hold)."""
    if not spans:
        return text
    out: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        if end <= pos:
            continue
        start = max(start, pos)
        out.append(text[pos:start])
        out.append(_blank(text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _is_code_indent(text: str, block_start: int, indent: int, start: int = 0,
                    memo: list[int] | None = None) -> bool:
    """An indented block is code unless it continues a list item, admonition or tab (above
    it, down to START: the document's first line)."""
    content = _container_above(text, block_start, start, memo if memo is not None else [-1, -1])
    return content < 0 or indent >= content + 4


def _container_above(text: str, block_start: int, start: int, memo: list[int]) -> int:
    """The content column of the list item, admonition or tab the block at BLOCK_START would
    continue, or -1 if none. MEMO: [where the last walk up started, what it found].

    The walk up passes over indented lines and lazy continuations; alternating indented and
    plain lines made each block walk to the top of the document. The blocks are asked about
    top to bottom, so a walk that reaches the line where the last one started has its answer.
    """
    pos = block_start
    found = -1
    while pos > start:
        if pos == memo[0]:
            found = memo[1]
            break
        line_start = text.rfind("\n", 0, pos - 1) + 1
        line = text[line_start:pos].rstrip("\n")
        pos = line_start
        if not line.strip():
            continue
        stripped = len(line) - len(line.lstrip(" "))
        if line.startswith("\t"):
            stripped = 4
        m = _CONTAINER.match(line)
        if m:
            found = len(m.group(1)) + len(m.group(2))
            if m.group(2).startswith(("!!!", "???", "===")):
                found = len(m.group(1)) + 4
            break
        if stripped < 4:
            # A paragraph at the margin: keep looking only if it belongs to a container
            # (lazy continuation), i.e. the line above it is not blank.
            prev_start = text.rfind("\n", 0, max(line_start - 1, 0)) + 1
            prev = text[prev_start:line_start].strip()
            if not prev or line_start <= start:
                break
    memo[0], memo[1] = block_start, found
    return found


def blank_code(text: str, start: int = 0) -> str:
    """The text with code and comments replaced by spaces (offsets and newlines kept). The
    document starts at START (after the front matter, which ends with a newline): nothing
    before it is looked at or changed."""
    current = text
    if "```" in text or "~~~" in text:
        spans = []
        pos = start  # in SHIFTED, the newline that ends the line before the document
        shifted = "\n" + text  # offset k in SHIFTED is offset k - 1 in TEXT
        while True:
            m = _FENCE_OPEN.search(shifted, pos)
            if not m:
                break
            fence = m.group(2)
            if fence[0] == "`" and "`" in m.group(3):
                pos = m.end()
                continue  # not a fence: an inline code span at the start of a line
            close = _fence_close(fence).search(text, m.end() - 1)
            end = close.end() if close else len(text)
            spans.append((m.start(), end))  # m.start() is the newline before the line: its start in TEXT
            pos = end + 1
        current = blank_spans(current, spans)
    if "\n    " in current or "\n\t" in current or current.startswith(("    ", "\t")):
        spans = []
        memo = [-1, -1]
        # A leading newline lets the pattern, which starts at a blank line, see line 1 too.
        for m in _INDENTED.finditer("\n\n" + current, start):
            block = m.group(1)
            if not block.strip():
                continue
            first = block.lstrip("\n")
            indent = 4 if first.startswith("\t") else len(first) - len(first.lstrip(" "))
            block_start, end = max(m.start(1) - 2, 0), m.end(1) - 2
            if _is_code_indent(current, block_start, indent, start, memo):
                spans.append((block_start, end))
        current = blank_spans(current, spans)
    if ">" in current and (_QUOTED_LINE.search(current, max(start - 2, 0))
                           or _QUOTED_LINE_START.match(current) is not None):
        current = blank_spans(current, [(m.start(2) - 2, m.end(2) - 2)
                                        for m in _QUOTED_CODE.finditer("\n\n" + current, start)])
    current = blank_spans(current, [m.span() for m in _COMMENT.finditer(current, start)])
    if "`" in current:
        if "````" not in current:
            # Runs of at most three: the regex fails at most six times (for each length, at
            # the last run of it and what is left of that run), each time reading to the end.
            spans = []
            for m in _CODE_SPAN.finditer(current, start):
                if _BLANK_LINE.search(m.group(0)):
                    # An opener whose closer lies in a later paragraph is a plain backtick, and
                    # the backticks after it open and close spans of their own: the regex,
                    # having passed over them, cannot say which.
                    spans = _code_spans(current, start)
                    break
                spans.append(m.span())
        else:
            spans = _code_spans(current, start)
        current = blank_spans(current, spans)
    return current


def _code_spans(text: str, start: int) -> list[tuple[int, int]]:
    """Code spans from START on, as Python-Markdown finds them: within a paragraph (an opener
    with no run of its length after it before the next blank line is a plain backtick).

    Worked out from the backtick runs, not by the regex: an opener with no run of its length
    after it sends the regex to the end of the text, once for each of its backticks (a
    chapter of runs of growing length took minutes). A span opens at the first backtick not
    yet passed over (the rest of its run is the opener) and closes at the next run of
    exactly that length."""
    runs = [m.span() for m in _TICKS.finditer(text, start)]
    if len(runs) < 2:
        return []
    by_length: dict[int, list[int]] = {}
    for i, (s, e) in enumerate(runs):
        by_length.setdefault(e - s, []).append(i)
    # Where the search for the next run of each length stands: the runs are visited left to
    # right, so each list is walked once.
    cursor = dict.fromkeys(by_length, 0)
    spans: list[tuple[int, int]] = []
    i, n = 0, len(runs)
    para_end = -1  # where the paragraph of the run being read ends: it only moves on
    while i < n:
        s, e = runs[i]
        if e > para_end:
            blank = _BLANK_LINE.search(text, e)
            para_end = blank.start() if blank else len(text)
        for opener in range(s, e):  # the whole run first, then what is left of it
            length = e - opener
            indices = by_length.get(length)
            if indices is None:
                continue
            k = cursor[length]
            while k < len(indices) and indices[k] <= i:
                k += 1
            cursor[length] = k
            if k < len(indices) and runs[indices[k]][1] <= para_end:
                j = indices[k]
                spans.append((opener, runs[j][1]))
                i = j
                break
        i += 1
    return spans


_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_FENCE_CLOSERS: dict[str, re.Pattern[str]] = {}


def _fence_close(fence: str) -> re.Pattern[str]:
    rx = _FENCE_CLOSERS.get(fence)
    if rx is None:
        rx = re.compile(r"^[ \t]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$", re.M)
        _FENCE_CLOSERS[fence] = rx
    return rx


def split_wiki(inner: str) -> tuple[str, str, str]:
    """`id#anchor|text` (a `\\|` as in tables counts as `|`) -> (id, anchor, text)."""
    inner = inner.replace("\\|", "|")
    target, _, text = inner.partition("|")
    ident, _, anchor = target.strip().partition("#")
    return ident.strip(), anchor.strip(), text.strip()


def normalize_label(label: str) -> str:
    return " ".join(label.split()).casefold()


# A reference as _brackets finds it for the renderer: (kind, target, citation keys, start,
# end, text, target_start, target_end). Plain tuples in the hot loop; Ref objects only for the
# renderer. The checker asks for the first four only (a Site, below).
_Raw = tuple[str, str, tuple[str, ...], int, int, str, int, int]
_START = operator.itemgetter(3)


def _clean(text: str, offset: int) -> str:
    # The front matter is not blanked (a copy of the text): every pass starts at OFFSET.
    return blank_code(text, offset)


def _references(clean: str, full: bool, offset: int) -> tuple[list[Any], dict[str, str]]:
    """Every reference in CLEAN from OFFSET on, sorted by start, and the link definitions: as
    _Raw tuples if FULL, else as Sites."""
    refs: list[Any] = []
    definitions: dict[str, str] = {}
    if "[" in clean:
        wikis = _brackets(clean, offset, len(clean), refs, definitions, full)
        # Each `[[` that opens a wiki match is one that count() finds (it finds as many
        # apart as there are): one more means a `[[` opens nothing, which is rare.
        if clean.count("[[", offset) > wikis:
            for m in _WIKI_UNCLOSED.finditer(clean, offset):
                before = clean[m.start() - 1:m.start()]
                if before == "[" or before == "\\":
                    continue
                start = m.start() - (before == "!")
                written = clean[start:m.end()]
                refs.append(("wiki-syntax", written, (), start, m.end(), "", 0, 0) if full
                            else ("wiki-syntax", written, (), start))
    # Not references but facts of the page all the same, positioned and cached with them.
    for lim in limits.page_limits(clean, offset):
        refs.append(("page-too-complex", lim.message, (lim.hint,), lim.offset, lim.offset, "", 0, 0) if full
                    else ("page-too-complex", lim.message, (lim.hint,), lim.offset))
    # No `in` test first: a search for a substring that is not there reads the whole text,
    # as the regex does, and four of them cost more than the regex.
    for m in _html_refs(clean, offset):
        kind = "html-link" if m.group(1) else "html-image"
        url = html.unescape(m.group(2)[1:-1])
        refs.append((kind, url, (), m.start(), m.end(), "", m.start(2) + 1, m.end(2) - 1) if full
                    else (kind, url, (), m.start()))
    refs.sort(key=_START)
    return refs, definitions


def _html_refs(clean: str, offset: int) -> Iterator[re.Match[str]]:
    """_HTML_REF's matches, left to right. A tag that has no href (src) before its '>' fails
    after reading to it, and so would every tag of its kind opened before that '>': those are
    not tried (a text of '<a ' with no '>' made each read to the end)."""
    pos = offset
    fails = {True: -1, False: -1}  # a tag of this kind (is it <a>?) opened before this fails
    match = _HTML_REF.match
    for tag in _HTML_OPEN.finditer(clean, offset):
        start = tag.start()
        is_a = tag.group(1) is not None
        if start < pos or start < fails[is_a]:
            continue
        m = match(clean, start)
        if m is None:
            end = clean.find(">", start)
            fails[is_a] = end if end >= 0 else len(clean)
            continue
        pos = m.end()
        yield m


def scan(text: str, offset: int = 0) -> Scan:
    """Scan TEXT; references before OFFSET (the front matter) are ignored."""
    clean = _clean(text, offset)
    raws, definitions = _references(clean, True, offset)
    _as_written(text, raws)
    refs = [Ref(kind, start, end, target, label, keys, ts, te, line, col)
            for (kind, target, keys, start, end, label, ts, te), (line, col)
            in zip(raws, _positions(text, raws), strict=True)]
    return Scan(text=text, clean=clean, refs=refs, definitions=definitions, headings=[], offset=offset)


# A reference as the checks need it: (kind, target, citation keys, offset in the source).
# Line and column are worked out only for the few references that have a problem (position()).
Site = tuple[str, str, tuple[str, ...], int]


def facts(text: str, offset: int, slugify: Slugify) -> tuple[list[Site], dict[str, str], set[str], str | None]:
    """What the checks need from a source, without the objects the renderer needs:
    references as Sites, link definitions, anchors and the first level-1 heading's text.
    The same as scan() and anchors() find."""
    clean = _clean(text, offset)
    sites, definitions = _references(clean, False, offset)
    _as_written(text, sites)
    found = _headings(text, clean, offset)
    title = next((heading_plain_text(h[2]) for h in found if h[1] == 1), None)
    return sites, definitions, _anchors(clean, found, slugify, offset), title


def _as_written(text: str, refs: list[Any]) -> None:
    """A `[[...]]` that names nothing is reported as the author wrote it: its target was taken
    from the text with comments and code blanked (`[[<!-- x -->]]` would show as `[[      ]]`).
    Blanking keeps every offset, so the target's span is the same in TEXT."""
    for i, ref in enumerate(refs):
        if ref[0] == "wiki-syntax":
            start = ref[3]
            refs[i] = (ref[0], text[start:start + len(ref[1])], *ref[2:])


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of OFFSET in TEXT."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, line_start) + 1, offset - line_start + 1


def _line_is_only(clean: str, start: int, end: int, after: int = 0) -> bool:
    """Nothing but blanks around clean[start:end] on its line. AFTER: where an earlier match
    (never blank) ended, so that a line of many only reads back to it, not to the line's start."""
    if after and clean.find("\n", after, start) < 0:
        return False  # that match is on this line, before START
    line_start = clean.rfind("\n", after, start) + 1 or after
    if clean[line_start:start].strip():
        return False
    line_end = clean.find("\n", end)
    return not clean[end:line_end if line_end >= 0 else None].strip()


def _at_line_start(clean: str, start: int) -> bool:
    """At most three blanks between START and its line's start (only they are read)."""
    line_start = clean.rfind("\n", max(start - 4, 0), start) + 1
    if not line_start and start > 3:
        return False
    return not clean[line_start:start].strip()


def _brackets(clean: str, pos: int, endpos: int, refs: list[Any], definitions: dict[str, str],
              full: bool) -> int:
    """The references from POS to ENDPOS into REFS, the definitions into DEFINITIONS; the
    number of `[[...]]` matched (escaped ones too)."""
    # Hot loop (one iteration per reference of the book): groups() once, no named lookups,
    # the commonest kind first, spans only for the renderer (FULL).
    append = refs.append
    after = 0  # where the last match ended
    wikis = 0
    for m in _BRACKET.finditer(clean, pos, endpos):
        start = m.start()
        prev = clean[start - 1] if start else ""
        last, after = after, m.end()
        if prev == "\\":
            if m.group(1) is not None:
                wikis += 1
            continue
        wiki, cite, text, url, empty_url, label, colon, _dest = m.groups()
        if empty_url is not None:
            url = ""
        if url is not None:
            kind = "link"
            if prev == "!":
                kind, start = "image", start - 1
            if url[:1] == "<" and url[-1:] == ">":
                url = url[1:-1]
                if full:
                    ts, te = m.span(4)
                    append((kind, url, (), start, m.end(), text, ts + 1, te - 1))
            elif full:
                # An empty URL before a title sits before the title's last blank.
                span = m.span(4) if empty_url is None else (m.start(5) - 1, m.start(5) - 1)
                append((kind, url, (), start, m.end(), text, *span))
            if not full:
                append((kind, url, (), start))
            if "](" in text:  # an image inside the link text: [![alt](a.png)](b.md)
                _brackets(clean, m.start(3), m.end(3), refs, definitions, full)
            continue
        if wiki is not None:
            wikis += 1
            if prev == "!":
                start -= 1
                if not wiki.strip():
                    kind, wiki = "wiki-syntax", clean[start:m.end()]
                elif _line_is_only(clean, start, m.end(), last):
                    kind, wiki = "embed", wiki.strip()
                else:
                    kind = "embed-inline"  # rendered as a link to the card
            else:
                kind = "wikilink" if wiki.strip() else "wiki-syntax"
                if kind == "wiki-syntax":
                    wiki = clean[start:m.end()]
            append((kind, wiki, (), start, m.end(), "", *m.span(1)) if full else (kind, wiki, (), start))
            continue
        if cite is not None:
            if not (clean.startswith(":", m.end()) and _at_line_start(clean, start)):
                keys = tuple(_CITE_KEYS.findall(cite))
                append(("cite", cite, keys, start, m.end(), "", 0, 0) if full else ("cite", cite, keys, start))
                continue
            # "[@label]: url" at the start of a line is a link definition, not a citation.
            d = _DEFINITION.match(clean, start)
            if d is not None:
                _definition(d, refs, definitions, full)
            continue
        if label is not None:
            if prev != "]":
                target, start = label or text, start - (prev == "!")
                append(("reflink", target, (), start, m.end(), text, 0, 0) if full
                       else ("reflink", target, (), start))
            continue
        if colon is not None and _at_line_start(clean, start):
            _definition(m, refs, definitions, full)
    return wikis


def _definition(m: re.Match[str], refs: list[Any], definitions: dict[str, str], full: bool) -> None:
    """A link definition `[label]: url`, matched by _BRACKET or _DEFINITION."""
    label, dest = m.group("t"), m.group("du")
    definitions.setdefault(normalize_label(label), dest.strip("<>"))
    ts, te = m.span("du")
    if dest.startswith("<"):
        dest, ts, te = dest[1:-1], ts + 1, te - 1
    refs.append(("refdef", dest, (), m.start(), m.end(), label, ts, te) if full
                else ("refdef", dest, (), m.start()))


def _positions(text: str, raws: list[_Raw]) -> list[tuple[int, int]]:
    """Line and column of every reference (sorted by start), in one walk over the text."""
    out: list[tuple[int, int]] = []
    line, line_start, last = 1, 0, 0
    count, rfind = text.count, text.rfind
    for raw in raws:
        start = raw[3]
        if start > last:
            n = count("\n", last, start)
            if n:
                line += n
                line_start = rfind("\n", last, start) + 1
            last = start
        out.append((line, start - line_start + 1))
    return out


def headings(scan_: Scan) -> list[Heading]:
    """ATX and setext headings outside code, with explicit attr_list ids."""
    if not scan_.headings:
        scan_.headings = [Heading(level, text, explicit, start)
                          for start, level, text, explicit in _headings(scan_.text, scan_.clean, scan_.offset)]
    return scan_.headings


# (start, level, text, explicit id): tuples, as a book has tens of thousands of headings.
_H = tuple[int, int, str, "str | None"]


def _headings(source: str, clean: str, offset: int = 0) -> list[_H]:
    """ATX and setext headings of CLEAN from OFFSET on (the front matter ends with a newline)."""
    found: list[_H] = []
    setext = False
    # Every heading line follows a newline, but the document's first one (if it starts the
    # text): that one is matched on its own, the text is not copied to give it a newline.
    if offset == 0:
        first = _HEADING_START.match(clean)
        matches = [first, *_HEADING_LINE.finditer(clean)] if first else _HEADING_LINE.finditer(clean)
    else:
        matches = _HEADING_LINE.finditer(clean, offset - 1)
    for m in matches:
        hashes, text, underline = m.groups()
        if underline is None:
            # The source's text, not CLEAN's: a code span or comment in the heading is blanked
            # there (and a blanked one at its start merges with the blank after the '#'s).
            raw = "" if text is None else source[m.end(1):m.end(2)]
            text = raw.strip()  # as Python-Markdown strips it: every Unicode blank (U+00A0, U+3000)
            if raw.endswith("#"):  # toc's reading takes closing '#'s only at the very end of the line
                text = _closing_hashes(text)
            explicit = None
            if text.endswith("}"):
                # Matched from the last '{', not searched for: a search tries every position.
                tail = _attr_tail(text)
                if tail:
                    idm = _ATTR_ID.search(tail.group(1))
                    if idm:
                        explicit = idm.group(1)
                    text = text[: tail.start()]
            found.append((m.start() + (clean[m.start()] == "\n"), len(hashes), text.strip(), explicit))
            continue
        # A setext underline: the line above it is the heading (none above the first line).
        newline = m.start()
        if clean[newline] != "\n" or newline < offset:
            continue
        line_start = clean.rfind("\n", 0, newline) + 1
        if line_start < offset:
            continue  # the line above is the front matter's
        line = clean[line_start:newline]
        if not line.strip() or len(line) - len(line.lstrip(" ")) > 3:
            continue
        if _CONTAINER.match(line) or line.lstrip().startswith(("|", ">", "#")) or "|" in line:
            continue
        prev_end = line_start - 1
        if prev_end > offset and clean[clean.rfind("\n", 0, prev_end) + 1:prev_end].strip():
            continue  # a paragraph's last line: too rare to model, skip
        h = _heading(1 if underline[0] == "=" else 2, line.strip(), line_start)
        found.append((h.start, h.level, h.text, h.explicit_id))
        setext = True
    if setext:
        found.sort()
    return found


def _attr_tail(text: str) -> re.Match[str] | None:
    """The `{...}` that ends a heading's text, if attr_list takes it as one: only after a
    blank (`x{#a}` and a heading of nothing but `{#a}` keep it as text)."""
    brace = text.rfind("{")
    if brace <= 0 or not text[brace - 1].isspace():
        return None
    return _ATTR_TAIL.match(text, brace)


def _heading(level: int, text: str, start: int) -> Heading:
    explicit = None
    tail = _attr_tail(text) if text.endswith("}") else None
    if tail:
        idm = _ATTR_ID.search(tail.group(1))
        if idm:
            explicit = idm.group(1)
        text = text[: tail.start()]
    return Heading(level, text.strip(), explicit, start)


def _closing_hashes(text: str) -> str:
    """TEXT without its closing `###`, as Python-Markdown reads a heading (`#*` before the end
    of the line, a space before them or not; an escaped `\\#` stays), found without a regex
    that would try every blank of a long run of them."""
    bare = text.rstrip("#")
    if (len(bare) - len(bare.rstrip("\\"))) % 2:
        return bare + "#"  # the first '#' is escaped: it is text, the rest close the heading
    return bare.rstrip()


def heading_plain_text(text: str) -> str:
    """The text toc slugifies: inline markup gone, entities decoded."""
    if _MARKUP_CHAR.search(text) is None:
        return text.strip()
    if text.count("[") + text.count("<") > 8:
        # Each '[' or '<' with no closing bracket after it sends the regex to the end.
        return html.unescape(_strip_inline(text)).strip()

    def repl(m: re.Match[str]) -> str:
        return m.group(1) or m.group(2) or ""

    return html.unescape(_INLINE_MARK.sub(repl, text)).strip()


def _next(text: str, char: str) -> Callable[[int], int]:
    """text.find(char, start) for starts that never go back: each character is read once."""
    last = [-1, -1]  # the last start asked for, and the answer

    def find(start: int) -> int:
        if last[0] >= 0 and last[0] <= start and (last[1] < 0 or last[1] >= start):
            return last[1]
        last[0], last[1] = start, text.find(char, start)
        return last[1]

    return find


_MARK_START = re.compile(r"[!\[<*_`~]")
_MARK_RUN = re.compile(r"[*_`~]+")


def _strip_inline(text: str) -> str:
    """_INLINE_MARK.sub as heading_plain_text makes it, in one pass: the same alternatives
    tried in the same order at each place, the closing bracket each needs looked up once."""
    bracket, bracket2, paren, angle = _next(text, "]"), _next(text, "]"), _next(text, ")"), _next(text, ">")
    out: list[str] = []
    pos = 0
    n = len(text)
    search = _MARK_START.search
    i = 0
    while True:
        m = search(text, i)
        if m is None:
            break
        i = m.start()
        c = text[i]
        end, keep = -1, ""
        if c == "!" or c == "[":
            open_ = i + 1 if c == "!" else i
            if c != "!" or text.startswith("[", open_):
                q = bracket(open_ + 1)
                after = text[q + 1:q + 2] if q >= 0 else ""
                if after == "(":
                    r = paren(q + 2)
                    if r >= 0:
                        end, keep = r + 1, text[open_ + 1:q] if c == "[" else ""
                elif after == "[" and c == "[":
                    r = bracket2(q + 2)
                    if r >= 0:
                        end, keep = r + 1, text[open_ + 1:q]
        elif c == "<":
            g = angle(i + 1)
            if g >= i + 2:
                end = g + 1
        else:
            end = _MARK_RUN.match(text, i).end()  # type: ignore[union-attr]
        if end < 0:
            i += 1
            if i >= n:
                break
            continue
        out.append(text[pos:i])
        out.append(keep)
        pos = i = end
    out.append(text[pos:])
    return "".join(out)


@functools.lru_cache(maxsize=1 << 16)
def _slug(slugify: Slugify, text: str) -> str:
    # Headings repeat across a book ("Background", "References"): each is slugified once.
    if _MARKUP_CHAR.search(text) is None:
        # What toc slugifies, for a text without markup: its words joined by one space (a
        # Chinese heading often holds an ideographic space, U+3000, which split() knows).
        return slugify(" ".join(text.split()), "-")
    if len(text) > _TOC_SLUG_MAX:
        # Python-Markdown is not linear on such a heading; a page that holds one is not
        # rendered anyway (see limits.py), so no reader follows a link to it.
        return slugify(heading_plain_text(text), "-")
    return _toc_slug(slugify, text)


_TOC_SLUG_MAX = 2000


_TOC_ID = re.compile(r'<h1 id="([^"]*)"')
_MARKDOWNS: dict[Slugify, Any] = {}


def _toc_slug(slugify: Slugify, text: str) -> str:
    """The id Python-Markdown's toc gives a heading whose text has markup: worked out by the
    same code (the heading rendered, its tags stripped, entities decoded, slugified), since
    no hand-written reading of emphasis, code and links agrees with it on every text
    (`snake_case_name` has no emphasis in it)."""
    md = _MARKDOWNS.get(slugify)
    if md is None:
        import markdown
        from markdown.extensions.toc import TocExtension

        md = _MARKDOWNS[slugify] = markdown.Markdown(extensions=[TocExtension(slugify=slugify)])
    md.reset()
    # The space after: TEXT's own closing '#'s are gone already, any left are text.
    m = _TOC_ID.search(md.convert("# " + text.replace("\n", " ") + " "))
    return html.unescape(m.group(1)) if m else slugify(heading_plain_text(text), "-")


_ID_COUNT = re.compile(r"^(.*)_([0-9]+)$")


def anchors(scan_: Scan, slugify: Slugify) -> set[str]:
    """Every id the rendered page will have, as MkDocs' toc computes them."""
    return _anchors(scan_.clean, _headings(scan_.text, scan_.clean, scan_.offset), slugify, scan_.offset)


def _anchors(clean: str, found: list[_H], slugify: Slugify, offset: int = 0) -> set[str]:
    # As toc numbers them: every id written in the page is taken first, then each heading
    # without one gets its slug, or the first of slug_1, slug_2 ... (or, for a slug that
    # already ends in _N, _N+1 ...) that is free.
    ids = {a or b for a, b in _ANY_ATTR_ID.findall(clean, offset)}
    ids.update(explicit for _start, _level, _text, explicit in found if explicit)
    # The last id each slug took: ids only grow, so the search for a free one goes on from
    # there (thousands of headings of one text made it start over at 1 for each).
    taken: dict[str, str] = {}
    for _start, _level, text, explicit in found:
        if explicit:
            continue
        base = _slug(slugify, text)
        slug = taken.get(base, base)
        while slug in ids or not slug:
            m = _ID_COUNT.match(slug)
            slug = f"{m.group(1)}_{int(m.group(2)) + 1}" if m else f"{slug}_1"
        taken[base] = slug
        ids.add(slug)
    # Each pattern starts with a literal the engine skips to: cheaper than an `in` test first.
    ids.update(m for m in _HTML_ID.findall(clean, offset) if m)
    ids.update("fn:" + m for m in _FOOTNOTE_DEF.findall(clean, offset) if m)
    return ids
