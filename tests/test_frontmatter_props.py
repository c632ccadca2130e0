"""Property tests: the front-matter reader gives what PyYAML gives, on generated documents.

The documents are built from the shapes the fast reader takes (keys, scalars of every kind,
quoted strings, flow lists, block lists of scalars and of small maps, nested maps, comments),
with characters drawn to include every line break of Unicode and YAML (\\r, \\n, \\x85,
\\u2028, \\u2029, \\x0b, \\x0c, \\x1c-\\x1e), tabs and non-printables. Whatever path the reader
takes (its own or PyYAML's), `parse` must answer as `yaml.load` with the module's loader
does: the same values of the same types, or an error where PyYAML has one. The one
difference by design: an alias is refused even where PyYAML would expand it.

`pytest -m long` runs the same property on 100,000 documents.
"""

from __future__ import annotations

import math
import string
import time
from collections import Counter
from typing import Any

import pytest
import yaml
from chronicle import frontmatter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

BREAKS = ["\r", "\n", "\r\n", "\x85", "\u2028", "\u2029", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e"]
ODD = ["\t", "\x00", "\x07", "\x1b", "\x7f", "\x80", "\x9f", "\xa0", "\ufeff", "\u3000", "\ufffe", "\U0001f600",
       "\u200b", "\u00e9", "\u0663"]
INDICATORS = list("-?:,[]{}#&*!|>'\"%@`~=\\")
PLAIN = [*string.ascii_letters, *string.digits, " ", " ", "_", ".", "/", "中", "文", "é"]
ALPHABET = PLAIN * 6 + INDICATORS + BREAKS + ODD
# Scalars the fast reader takes, and others it leaves to PyYAML (numbers PyYAML reads its own
# way, indicators, broken quotes).
WORDS = ["yes", "No", "on", "OFF", "true", "False", "null", "Null", "NULL", "~", "0", "-1", "+2", "-0", "2019",
         "2019-02-14", "2019-13-45", "-x", "x", "C#", "a b", "http://x/y?a=1", "a'b", "x-1", "中文"]
RISKY = ["007", "1.5", "1e3", "0x1f", "0o7", "1_000", "12:30", "2019-02-14 10:00:00", ".inf", ".NaN", "<<", "=",
         "-", "--", "x:", "a: b", "'", '"', "? x", "!x", "&a x", "*a", "|", ">", "%x", "@x", "`x`"]
KEYS = ["title", "a", "b_c", "x.y", "k-1", "n", "date", "tags", "Title", "_k", "a1", "on", "yes", "null"]

TAME = st.sampled_from(PLAIN * 24 + INDICATORS)
# YAML's line breaks that are not "\n" and not "\r" (which the fast reader declines on sight, and
# which reading a file in text mode turns into "\n"): what a reader that splits lines at "\n" gets wrong.
YAML_BREAKS = ["\x85", "\u2028", "\u2029"]
WILD = st.sampled_from(ALPHABET)


def texts(chars: st.SearchStrategy[str], min_size: int = 0, max_size: int = 10) -> st.SearchStrategy[str]:
    return st.lists(chars, min_size=min_size, max_size=max_size).map("".join)


@st.composite
def scalars(draw: st.DrawFn, chars: st.SearchStrategy[str], risky: bool, flow: bool = False) -> str:
    kind = draw(st.integers(0, 9))
    if kind <= 2:
        return draw(st.sampled_from(WORDS))
    if kind <= 5:
        return draw(texts(chars)).strip(" ") or "x"
    if kind == 6:
        body = draw(texts(chars))
        return "'" + (body.replace("'", "''") if draw(st.booleans()) else body) + "'"
    if kind == 7:
        return '"' + draw(texts(chars)) + '"'
    if kind == 8 and not flow:
        items = draw(st.lists(scalars(chars, risky, flow=True), max_size=4))
        sep = draw(st.sampled_from([", ", ",", " , ", ",  "]))
        return "[" + sep.join(items) + "]"
    if not risky:
        return draw(st.sampled_from(WORDS)) + draw(st.sampled_from(["", " ", "  "]))
    return draw(st.sampled_from(RISKY)) + draw(st.sampled_from(["", " ", "  ", " # c", "#c"]))


NAMES = st.from_regex(r"[a-z_][a-z0-9_.-]{0,8}", fullmatch=True)


def keys(chars: st.SearchStrategy[str], risky: bool) -> st.SearchStrategy[str]:
    if not risky:
        return st.one_of(NAMES, st.sampled_from(KEYS[:5]))
    return st.one_of(NAMES, NAMES, NAMES, st.sampled_from(KEYS), texts(chars, 1, 6))


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A front matter's YAML: 40% in what front matter is written in, 30% the same with YAML's
    other line breaks put in, 30% with characters from everywhere and scalars the fast reader
    does not take."""
    mode = (0, 0, 0, 0, 1, 1, 1, 2, 2, 2)[draw(st.integers(0, 9))]
    chars = (TAME, TAME, WILD)[mode]
    risky = mode == 2
    key_, scalar = keys(chars, risky), scalars(chars, risky)
    lines: list[str] = []
    used: set[str] = set()
    for _ in range(draw(st.integers(1, 4))):
        key = draw(key_)
        if key in used and draw(st.integers(0, 4)) < 4:  # a key given twice, now and then
            key += f"{len(used)}x"
        used.add(key)
        shape = draw(st.integers(0, 9))
        if shape <= 4:
            sep = draw(st.sampled_from([" "] * 8 + ["  ", ""]))
            lines.append(f"{key}:{sep}{draw(scalar)}" if draw(st.integers(0, 9)) else f"{key}:")
        elif shape <= 7:
            indent = draw(st.sampled_from(["", "  ", "  ", "   ", " "]))
            lines.append(f"{key}:")
            for _ in range(draw(st.integers(1, 3))):
                if draw(st.booleans()):
                    lines.append(f"{indent}- {draw(scalar)}")
                else:
                    lines.append(f"{indent}- {draw(key_)}: {draw(scalar)}")
                    if draw(st.booleans()):
                        more = draw(st.sampled_from(["  ", "  ", " ", "   "]))
                        lines.append(f"{indent}{more}{draw(key_)}: {draw(scalar)}")
        else:
            lines.append(f"{key}:")
            indent = draw(st.sampled_from(["  ", "  ", "    ", " "]))
            for _ in range(draw(st.integers(1, 3))):
                lines.append(f"{indent}{draw(key_)}: {draw(scalar)}")
        if not draw(st.integers(0, 9)):
            lines.append(draw(st.sampled_from(["", "# comment", "  # indented", "  "])))
    # Between lines a newline, or (in the others, now and then) another line break.
    out = []
    for line in lines:
        out.append(line)
        out.append(draw(st.sampled_from(BREAKS)) if risky and not draw(st.integers(0, 3)) else "\n")
    doc = "".join(out)
    if mode == 1:  # one or two of YAML's other line breaks in a document otherwise plain
        for _ in range(draw(st.integers(1, 2))):
            if draw(st.booleans()):  # at the end of a line
                ends = [i for i, c in enumerate(doc) if c == "\n"]
                at = ends[draw(st.integers(0, len(ends) - 1))]
            else:
                at = draw(st.integers(1, len(doc)))
            doc = doc[:at] + draw(st.sampled_from(YAML_BREAKS)) + doc[at:]
    return doc


def _canon(value: Any) -> Any:
    """VALUE with its types spelled out: True == 1 and 1 == 1.0 to Python, not here."""
    if isinstance(value, dict):
        return ("dict", tuple((_canon(k), _canon(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("list", tuple(_canon(v) for v in value))
    if isinstance(value, float):
        return ("float", "nan" if math.isnan(value) else repr(value))
    return (type(value).__name__, value)


def pyyaml(raw: str) -> Any:
    """What PyYAML makes of RAW, as parse reports it: the fields, or 'error'."""
    try:
        if any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(raw, Loader=frontmatter._Loader)):
            return "error"  # refused by design
        data = yaml.load(raw, Loader=frontmatter._Loader)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        return "error"
    if data is None:
        return _canon({})
    return _canon(data) if isinstance(data, dict) else "error"


def agrees(doc: str, stats: Counter) -> None:
    text = f"---\n{doc}---\n"
    found = frontmatter.split(text)
    stats["documents"] += 1
    if found is None:
        assert frontmatter.parse(text).data == {}
        return
    raw = found[0]
    fast = frontmatter._simple(raw)
    if fast is not None:
        stats["fast"] += 1
        assert _canon(fast) == pyyaml(raw), raw
    fm = frontmatter.parse(text)
    got = "error" if fm.error else _canon(fm.data)
    if got == "error":
        stats["errors"] += 1
    assert got == pyyaml(raw), raw


def run(examples: int) -> Counter:
    stats: Counter = Counter()

    @settings(max_examples=examples, deadline=None, database=None, derandomize=examples < 1000,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(documents())
    def prop(doc: str) -> None:
        agrees(doc, stats)

    prop()
    return stats


def test_parse_agrees_with_pyyaml_on_generated_documents():
    stats = run(500)
    # The comparison means something only if both paths and the errors are exercised.
    assert stats["fast"] > stats["documents"] * 0.2, stats
    assert stats["errors"] > stats["documents"] * 0.05, stats


@pytest.mark.long
def test_parse_agrees_with_pyyaml_on_100_000_generated_documents(capsys):
    start = time.perf_counter()
    stats = run(100_000)
    with capsys.disabled():
        print(f"\n{dict(stats)} in {time.perf_counter() - start:.0f} s")
    assert stats["documents"] >= 100_000


@pytest.mark.parametrize("raw", [
    "a: b\x85c: d\n", "a: b\u2028c: d\n", "a: b\u2029c: d\n", "a: [x\x85, y]\n", "a:\n- x\u2028- y\n",
    "a: 'x\x85y'\n", "a: \"x\u2028y\"\n", "a: b\x0bc\n", "a: b\x1cc\n", "a: \xa0\n", "a: b\ufeffc\n",
])
def test_line_breaks_of_yaml_are_read_as_pyyaml_reads_them(raw):
    fm = frontmatter.parse(f"---\n{raw}---\n")
    assert ("error" if fm.error else _canon(fm.data)) == pyyaml(raw)
