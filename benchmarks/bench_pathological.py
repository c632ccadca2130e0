#!/usr/bin/env python3
"""The scanner's time on hostile shapes of input must grow linearly with their size.

For each shape, the input is built at 10, 100 and 1,000 times a base unit (about 1 KB), and
``scanner.facts`` (what ``chronicle check`` reads a file with) and ``limits.page_limits``
(the build's guard against pages Python-Markdown cannot take) are timed on it, median of
3 runs. The last column is the growth from 100x to 1,000x: about 10 for linear time (100
for quadratic). Before the scanner was made linear, several of these took minutes at 1,000x
(backtick runs of growing length: ~390 s for 130 KB).

Run::

    python benchmarks/bench_pathological.py            # every shape
    python benchmarks/bench_pathological.py backticks  # some
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))

from chronicle import limits, scanner
from chronicle.settings import default_slugify

UNIT = 1024  # characters in one base unit


def _repeat(piece: str) -> Callable[[int], str]:
    def make(units: int) -> str:
        return piece * max(1, units * UNIT // len(piece))
    return make


def _growing(units: int, piece: Callable[[int], str], first: int) -> str:
    """PIECE(first), PIECE(first + 1), ... joined, until the text is UNITS units long."""
    out, size, i = [], 0, first
    while size < units * UNIT:
        out.append(piece(i))
        size += len(out[-1])
        i += 1
    return "".join(out)


def _growing_backticks(units: int) -> str:
    """` `` ``` ```` ...: each run one longer, separated by text (no run ever closes)."""
    return _growing(units, lambda k: "`" * k + " x ", 1)


def _deep_list(units: int) -> str:
    """One list nested ever deeper, each level on its own line (4 spaces a level)."""
    return _growing(units, lambda i: "    " * i + "- x\n", 0)


def _deep_quote(units: int) -> str:
    return _growing(units, lambda i: ">" * i + " x\n", 1)


def _heading_brackets(units: int) -> str:
    return "# " + "[" * (units * UNIT) + "\n"


def _url_blanks(units: int) -> str:
    return "[x](" + " " * (units * UNIT) + "a\n"


SHAPES: dict[str, Callable[[int], str]] = {
    "backticks": _growing_backticks,
    "indented-plain": _repeat("\n    code\nplain\nplain\n"),
    "unclosed-brackets": _repeat("[a "),
    "unclosed-wiki": _repeat("[[a "),
    "unclosed-comments": _repeat("<!-- a "),
    "backslash-brackets": _repeat("[\\"),
    "nested-brackets": _repeat("["),
    "a-without-gt": _repeat("<a "),
    "a-img-without-gt": _repeat("<a <img "),
    "id-without-gt": _repeat("<p id=x "),
    "attr-without-brace": _repeat("{ #a"),
    "footnote-unclosed": _repeat("[^a"),
    "links-paragraph": _repeat("[x](y.md)\n"),  # 1,000x: a 100,000-line paragraph
    "embeds-one-line": _repeat("![[a]] "),
    "lists-nested": _deep_list,  # 1,000x: nested ~700 deep
    "quotes-nested": _deep_quote,
    "long-line": _repeat("word [x](y.md) `c` *e* "),
    "table": _repeat("| [x](y.md) | `z` | [[a]] |\n"),
    "headings": _repeat("## Same\n\n"),
    "reference-definitions": _repeat("[a]: b.md\n"),
    "heading-of-brackets": _heading_brackets,
    "url-of-blanks": _url_blanks,
}

SIZES = (10, 100, 1000)


def run_facts(text: str) -> None:
    scanner.facts(text, 0, default_slugify)


def run_guard(text: str) -> None:
    limits.page_limits(scanner.blank_code(text), 0)


def median_time(fn: Callable[[str], None], text: str, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn(text)
        times.append(time.process_time() - start)
    return statistics.median(times)


def main(argv: list[str]) -> int:
    names = argv or list(SHAPES)
    print(f"{'shape':24} {'size':>6} {'facts s':>9} {'s/KB':>9} {'growth':>7} {'guard s':>9} {'growth':>7}")
    worst = 0.0
    for name in names:
        facts_times: dict[int, float] = {}
        guard_times: dict[int, float] = {}
        for units in SIZES:
            text = SHAPES[name](units)
            kb = len(text.encode()) / 1024
            facts_times[units] = median_time(run_facts, text)
            guard_times[units] = median_time(run_guard, text)
            growth = guard_growth = ""
            if units == SIZES[-1]:
                ratio = facts_times[units] / max(facts_times[SIZES[-2]], 1e-4)
                guard_ratio = guard_times[units] / max(guard_times[SIZES[-2]], 1e-4)
                growth, guard_growth = f"{ratio:7.1f}", f"{guard_ratio:7.1f}"
                worst = max(worst, ratio)
            print(f"{name:24} {kb:5.0f}K {facts_times[units]:9.4f} {facts_times[units] / kb:9.6f} {growth:>7} "
                  f"{guard_times[units]:9.4f} {guard_growth:>7}", flush=True)
    print(f"largest growth 100x -> 1000x: {worst:.1f} (10 is linear)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
