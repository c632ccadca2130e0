"""Causal graphs drawn as SVG when the site is built: nothing for the reader's browser to load.

Events are laid out along time, top to bottom: a band per year, and in it rows of at most
`columns` events in date order, read left to right like text. An edge therefore always goes
down the page or, between two events of the same row, to the right: forward in time or
within a rank. Edges between adjacent rows are S-curves; longer ones run down the gutters
between columns, so that they pass between boxes rather than through them.

Pure: no MkDocs, no file access. Every string from the book goes through `safe.tag`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from .safe import Markup, join, tag

# Sizes in CSS pixels: the SVG is drawn at its natural size (never scaled down), so text is
# 12 and 13 px on any screen; a wide graph scrolls in its container instead.
NODE_W = 196
NODE_H = 60
COL_GAP = 44  # room for edges running down the gutter between two columns
ROW_GAP = 40  # room for edges running across between two rows
YEAR_H = 30  # the band that starts a year
MARGIN = 24
PAD = 9
DATE_PX = 12
TITLE_PX = 13
LINE_H = 17
LANE = 5  # distance between parallel edges in a gutter or a row gap


@dataclass(frozen=True)
class Node:
    """An event as the graph shows it; LABEL is its title in the reader's language."""

    id: str
    label: str
    date: str
    key: tuple[int, ...]
    href: str | Markup
    kind: str = ""  # significance level: a CSS modifier


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str  # "enables" or "influences": a CSS modifier
    label: str  # the relation in the reader's language


@dataclass
class Box:
    node: Node
    index: int
    row: int
    col: int
    x: float
    y: float
    lines: list[str] = field(default_factory=list)

    @property
    def cx(self) -> float:
        return self.x + NODE_W / 2

    @property
    def bottom(self) -> float:
        return self.y + NODE_H


@dataclass
class Layout:
    boxes: dict[str, Box]
    paths: list[tuple[Edge, str]]
    years: list[tuple[int, float]]  # (year, top of its band)
    width: float
    height: float


def default_columns(n: int) -> int:
    return 1 if n <= 2 else 2 if n <= 8 else 3


@functools.lru_cache(maxsize=4096)
def _char_px(ch: str) -> float:
    """A rough advance width at TITLE_PX: CJK and other wide characters are square."""
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return TITLE_PX
    # Bold sans-serif, rounded up: a line that overflows its box is worse than one cut early.
    return TITLE_PX * (0.34 if ch in " .,:;'!|il()[]" else 0.74 if ch.isupper() or ch in "mw" else 0.6)


def _px(text: str) -> float:
    return sum(_char_px(c) for c in text)


_TOKENS = re.compile(r"\s+|[^\s\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]+|.", re.S)


# No line starts with a closing mark or ends with an opening one (the simplest of the CJK
# line-breaking rules, kinsoku shori): a character moves to the next line with it.
_OPENING = frozenset("（《“‘「『【〔〈([{")
_CLOSING = frozenset("）》”’」』】〕〉，。、：；！？…)]},.:;!?%")


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def wrap(text: str, width: float, max_lines: int) -> list[str]:
    """TEXT in at most MAX_LINES lines of WIDTH px, broken at spaces (anywhere between CJK
    characters, and inside a word too long for a line); the last line ends in '…' if cut."""
    lines: list[str] = []
    line, line_px = "", 0.0
    tokens = _TOKENS.findall(" ".join(text.split()))
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.isspace():
            if line:
                line += " "
                line_px += _char_px(" ")
            i += 1
            continue
        if line_px + _px(token) <= width:
            line += token
            line_px += _px(token)
            i += 1
            continue
        if not line.strip():  # a word wider than a line: as much of it as fits
            cut = 1
            while cut < len(token) and _px(token[: cut + 1]) <= width:
                cut += 1
            lines.append(token[:cut])
            tokens[i] = token[cut:]
            line, line_px = "", 0.0
            continue
        carry = ""
        if token[0] in _CLOSING and len(line) > 1 and _wide(line[-1]):
            line, carry = line[:-1], line[-1]
        while len(line) > 1 and line[-1] in _OPENING:
            line, carry = line[:-1], line[-1] + carry
        lines.append(line.rstrip())
        line, line_px = carry, _px(carry)
    if line.strip():
        lines.append(line.rstrip())
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and (_px(last + "…") > width or last[-1] in _OPENING):
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last.rstrip() + "…"]
    return lines or [""]


def layout(nodes: Sequence[Node], edges: Sequence[Edge], columns: int | None = None) -> Layout:
    """Positions of NODES (sorted by date, then id) and the path of each of EDGES."""
    order = sorted({n.id: n for n in nodes}.values(), key=lambda n: (n.key, n.id))
    cols = max(1, columns or default_columns(len(order)))
    boxes: dict[str, Box] = {}
    years: list[tuple[int, float]] = []
    rows: list[float] = []  # top of each row
    row_of_year: int | None = None
    y = MARGIN
    col = cols
    for i, n in enumerate(order):
        year = n.key[0] if n.key else 0
        if year != row_of_year:
            if rows:
                y = rows[-1] + NODE_H + ROW_GAP
            years.append((year, y))
            y += YEAR_H
            rows.append(y)
            row_of_year, col = year, 0
        elif col == cols:
            y = rows[-1] + NODE_H + ROW_GAP
            rows.append(y)
            col = 0
        x = MARGIN + col * (NODE_W + COL_GAP)
        boxes[n.id] = Box(n, i, len(rows) - 1, col, x, rows[-1],
                          wrap(n.label, NODE_W - 2 * PAD, 2))
        col += 1
    used = max((b.col for b in boxes.values()), default=0) + 1
    width = 2 * MARGIN + used * NODE_W + (used - 1) * COL_GAP + (COL_GAP if used == 1 else 0)  # room for a gutter
    height = (rows[-1] + NODE_H + MARGIN) if rows else 2 * MARGIN
    paths = _route(boxes, [e for e in edges if e.source in boxes and e.target in boxes], rows)
    return Layout(boxes, paths, years, width, height)


def _route(boxes: dict[str, Box], edges: list[Edge], rows: list[float]) -> list[tuple[Edge, str]]:
    used = max((b.col for b in boxes.values()), default=0) + 1
    lanes: dict[tuple[str, int], int] = {}

    def lane(where: tuple[str, int]) -> float:
        """Offset of the next edge in a gap: 0, +1, -1, +2, -2 lanes from its middle, then again."""
        k = lanes.get(where, 0)
        lanes[where] = k + 1
        limit = int((min(COL_GAP, ROW_GAP) / 2 - 6) // LANE)
        seq = k % (2 * limit + 1)
        return (seq + 1) // 2 * (1 if seq % 2 else -1) * LANE

    out: list[tuple[Edge, str]] = []
    for e in sorted(edges, key=lambda e: (boxes[e.source].index, boxes[e.target].index)):
        a, b = boxes[e.source], boxes[e.target]
        # Spread the ends along the box so that edges leaving one box can be told apart.
        ax = a.cx + _spread(e.target, a)
        bx = b.cx + _spread(e.source, b)
        if a.row == b.row:
            if abs(a.col - b.col) == 1:  # neighbours: straight across the gap
                ym = a.y + NODE_H / 2
                x1, x2 = (a.x + NODE_W, b.x) if a.col < b.col else (a.x, b.x + NODE_W)
                d = f"M{x1:.0f},{ym:.0f} H{x2:.0f}"
            else:  # over the boxes between them, in the gap above the row
                yt = a.y - ROW_GAP / 2 + lane(("row", a.row - 1))
                d = f"M{ax:.0f},{a.y:.0f} V{yt:.0f} H{bx:.0f} V{b.y:.0f}"
        elif b.row == a.row + 1:
            ym = a.bottom + (b.y - a.bottom) / 2
            d = f"M{ax:.0f},{a.bottom:.0f} C{ax:.0f},{ym:.0f} {bx:.0f},{ym:.0f} {bx:.0f},{b.y:.0f}"
        else:
            # Down into the gap under A's row, along it to the gutter nearest the middle, down
            # the gutter to the gap over B's row, along it to B.
            # Not the gutter left of the first column: the years are written there.
            gutter = max(1, min(round((a.col + b.col + 1) / 2), max(used - 1, 1)))
            gx = MARGIN + gutter * (NODE_W + COL_GAP) - COL_GAP / 2 + lane(("col", gutter))
            y1 = a.bottom + ROW_GAP / 2 + lane(("row", a.row))
            y2 = b.y - ROW_GAP / 2 + lane(("row", b.row - 1))
            if b.row > 0 and rows[b.row] - rows[b.row - 1] > NODE_H + ROW_GAP:  # a year band above B
                y2 = b.y - YEAR_H / 2 + lane(("row", b.row - 1)) / 2
            r = 6
            sx = 1 if gx > ax else -1
            tx = 1 if bx > gx else -1
            d = (f"M{ax:.0f},{a.bottom:.0f} V{y1 - r:.0f} Q{ax:.0f},{y1:.0f} {ax + sx * r:.0f},{y1:.0f} "
                 f"H{gx - sx * r:.0f} Q{gx:.0f},{y1:.0f} {gx:.0f},{y1 + r:.0f} V{y2 - r:.0f} "
                 f"Q{gx:.0f},{y2:.0f} {gx + tx * r:.0f},{y2:.0f} H{bx - tx * r:.0f} "
                 f"Q{bx:.0f},{y2:.0f} {bx:.0f},{y2 + r:.0f} V{b.y:.0f}")
        out.append((e, d))
    return out


def _spread(other: str, box: Box) -> float:
    """A stable offset in [-40, 40] px for the end of an edge at BOX, from the other end's id."""
    h = sum(ord(c) * (i + 1) for i, c in enumerate(other)) % 9
    return (h - 4) * 10


def render(lay: Layout, *, ident: str, label: str, focus: str | None = None) -> Markup:
    """The SVG of LAY: IDENT makes its element ids unique in the page, LABEL names it for
    assistive technology (the plain list beside it says the same)."""
    n_of = {i: f"{ident}-n{b.index}" for i, b in lay.boxes.items()}
    defs = tag("defs", *(
        tag("marker", tag("path", d="M0,0 L10,5 L0,10 z", class_=f"chronicle-arrow chronicle-arrow--{k}"),
            id=f"{ident}-arrow-{k}", viewBox="0 0 10 10", refX="9", refY="5", markerWidth="7",
            markerHeight="7", orient="auto-start-reverse", markerUnits="userSpaceOnUse")
        for k in ("enables", "influences")))
    years = join("", (
        tag("g", tag("text", str(year), x=str(MARGIN - 16), y=f"{top + 19:.0f}", class_="chronicle-graph__year"),
            tag("line", x1=str(MARGIN + 30), x2=f"{lay.width - MARGIN:.0f}", y1=f"{top + 14:.0f}",
                y2=f"{top + 14:.0f}", class_="chronicle-graph__rule"),
            id=f"{ident}-y{year}")
        for year, top in lay.years))
    edges = []
    for e, d in lay.paths:
        a, b = lay.boxes[e.source], lay.boxes[e.target]
        kind = e.kind if e.kind in ("enables", "influences") else "enables"
        edges.append(tag(
            "path", tag("title", f"{a.node.label} → {e.label} → {b.node.label}"),
            d=d, class_=f"chronicle-edge chronicle-edge--{kind}", marker_end=f"url(#{ident}-arrow-{kind})",
            data_e=f"{n_of[e.source]} {n_of[e.target]}", fill="none", stroke="#7a869a",
            stroke_width="1.5"))
    nodes = []
    for ident_, box in sorted(lay.boxes.items(), key=lambda kv: kv[1].index):
        n = box.node
        classes = ["chronicle-node"]
        if n.kind:
            classes.append(f"chronicle-node--{n.kind}")
        if ident_ == focus:
            classes.append("chronicle-node--focus")
        spans = [tag("tspan", n.date, x=f"{box.x + PAD:.0f}", y=f"{box.y + PAD + DATE_PX:.0f}",
                     class_="chronicle-node__date")]
        for k, line in enumerate(box.lines):
            spans.append(tag("tspan", line, x=f"{box.x + PAD:.0f}",
                             y=f"{box.y + PAD + DATE_PX + (k + 1) * LINE_H:.0f}", class_="chronicle-node__title"))
        nodes.append(tag(
            "a",
            tag("title", f"{n.date} {n.label}"),
            tag("rect", x=f"{box.x:.0f}", y=f"{box.y:.0f}", width=str(NODE_W), height=str(NODE_H), rx="7",
                fill="#fff", stroke="#9aa4b5"),
            tag("text", *spans, fill="#222", font_size=str(TITLE_PX)),
            # The class before the href: the build's mark for a link to an untranslated page
            # (render.mark_untranslated) joins a class written before it.
            class_=" ".join(classes), id=n_of[ident_], href=n.href, aria_label=f"{n.date} {n.label}"))
    # Pointing at an event (or tabbing to it) picks out its edges: one rule per event, made
    # of generated ids only.
    style = "".join(
        f"#{ident}:has(#{n}:hover,#{n}:focus) .chronicle-edge[data-e~={n}]{{stroke-opacity:1;stroke-width:2.5px}}"
        for n in n_of.values())
    style = f"#{ident}:has(.chronicle-node:hover,.chronicle-node:focus) .chronicle-edge{{stroke-opacity:.15}}" + style
    w, h = f"{lay.width:.0f}", f"{lay.height:.0f}"
    return tag("svg", tag("style", style), defs, tag("g", years, class_="chronicle-graph__years"),
               tag("g", join("", edges), class_="chronicle-graph__edges"),
               tag("g", join("", nodes), class_="chronicle-graph__nodes"),
               xmlns="http://www.w3.org/2000/svg", id=ident, class_="chronicle-graph-svg", viewBox=f"0 0 {w} {h}",
               width=w, height=h, role="group", aria_label=label)


def svg(nodes: Sequence[Node], edges: Sequence[Edge], *, ident: str, label: str, focus: str | None = None,
        columns: int | None = None) -> Markup:
    """NODES and EDGES laid out along time and drawn, in a container that scrolls."""
    lay = layout(nodes, edges, columns)
    return tag("div", render(lay, ident=ident, label=label, focus=focus), class_="chronicle-graph-view",
               tabindex="0", aria_label=label)


__all__ = ["Box", "Edge", "Layout", "Node", "default_columns", "layout", "render", "svg", "wrap"]
