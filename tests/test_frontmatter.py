"""Front matter: the fast reader of simple YAML must agree with PyYAML wherever it answers."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml
from chronicle import frontmatter

REPO = Path(__file__).resolve().parent.parent


def pyyaml(raw: str):
    try:
        data = yaml.load(raw, Loader=frontmatter._Loader)
    except yaml.YAMLError:
        return "error"
    return data if data is not None else {}


@pytest.mark.parametrize("raw", [
    "title: 时间线\n",
    "a: b\nc: 'it''s'\nd: \"x: y # z\"\n",
    "date: 2019-02-14\nyear: 2019\nneg: -3\nplus: +4\nzero: 0\n",
    "t: yes\nf: Off\nn: ~\ne:\nnull_word: NULL\nmixed: tRUE\n",
    "tags: [a, b c, 'd, e', \"f\"]\nempty: []\nspaced: [ a ,b ]\n",
    "causal_connections:\n  - enabled_by: [x-1, y-2]\n  - enables: z\n  - demonstrates: free label\n",
    "list:\n- a\n- b\nafter: 1\n",
    "m:\n  enabled_by: a\n  enables: [b, c]\n",
    "items:\n  - k: 1\n    l: 2\n  - k: 3\n",
    "# a comment\na: 1  \n\n  # indented comment\nb: C#\n",
    "title: 清华大学长上下文模型发布（1959）\nurl: https://example.org/x?a=1\n",
    "key-with.dots_and-dashes: v\n",
])
def test_fast_reader_answers_these_as_pyyaml_does(raw):
    fast = frontmatter._simple(raw)
    assert fast is not None, "expected the fast reader to take this"
    assert fast == pyyaml(raw)
    assert [type(v) for v in fast.values()] == [type(v) for v in pyyaml(raw).values()]


@pytest.mark.parametrize("raw", [
    "a: 012\n", "a: 0x1f\n", "a: 1_000\n", "a: 1.5\n", "a: 12:30\n", "a: .inf\n",  # numbers PyYAML reads its way
    "on: 1\n", "yes: x\n", "null: x\n",  # keys that are not strings in YAML 1.1
    "a: b: c\n", "a: x # comment\n", "a: [x, y] # c\n", "a: x:\n",
    "a: \"esc\\n\"\n", "a: \"x\" y\n", "a: |\n  block\n", "a: >\n  folded\n",
    "a: &anchor x\nb: *anchor\n", "a: !tag x\n", "<<: {a: 1}\n", "a: {b: 1}\n",
    "a: x\n  continued\n", "a:\n\tb: 1\n", "- top-level list\n", "just text\n",
    "a: [x, [y]]\n", "a: [x,, y]\n", "a: [x, ]\n", "a: [x:y]\n",
    "a:\n  - b: 1\n     c: 2\n", "a:\n  - x\n - y\n", "a:\n  b:\n    c: 1\n", "a:\n- \n",
    "a: 'unclosed\n", "a: \"unclosed\n", "a: b\x07\n", "a: b\r\n",
    "a: b\x85c\n", "a: b\u2028c: d\n", "a: b\u2029\n",  # line breaks to YAML
    "a: b\na: c\n", "m:\n  k: 1\n  k: 2\n", "l:\n  - k: 1\n    k: 2\n",  # keys given twice: PyYAML says where
    "x" * 200 + ": long key\n",
])
def test_fast_reader_leaves_everything_else_to_pyyaml(raw):
    assert frontmatter._simple(raw) is None


def test_parse_gives_the_same_front_matter_either_way():
    text = "---\ntitle: 标题\ntags: [a, b]\n---\n# Body\n"
    fast = frontmatter.parse(text)
    slow_data = yaml.load(fast.raw, Loader=frontmatter._Loader)
    assert fast.data == slow_data and fast.body_offset == text.index("# Body") and fast.end_line == 5
    assert fast.line_of("tags") == 3  # positions still come from PyYAML's nodes, when asked


def test_the_book_s_own_front_matter_is_read_fast_and_right():
    """Every card and page of the sample book is in the simple subset, and read as PyYAML reads it."""
    seen = 0
    for path in sorted([*REPO.glob("manuscript/**/*.md"), *REPO.glob("knowledge/**/*.md")]):
        text = path.read_text(encoding="utf-8")
        found = frontmatter.split(text)
        if not found:
            continue
        raw = found[0]
        assert frontmatter._simple(raw) == pyyaml(raw), path
        seen += 1
    assert seen >= 20


_KEYS = ["title", "a", "b_c", "on", "yes", "n", "date", "x.y", "k-1"]
_COMMON = ["plain", "two words", "中文标题", "'quoted'", '"dq"', "2019", "2019-02-14", "-1", "[a, b]", "[]", "x-1"]
_SCALARS = ["plain", "two words", "中文标题", "'quoted'", "'it''s'", '"dq"', '"a: b"', "2019", "2019-02-14",
            "2019-13-45", "0", "007", "-1", "+2", "1.0", "1e3", "yes", "No", "oN", "null", "~", "", "true",
            "x # c", "x: y", "C#", "a,b", "[a]", "[a, b]", "[]", "['x', \"y\"]", "[a b, c]", "[a:b]", "-x", "- x",
            "&a", "*a", "!x", "|", ">", "%x", "@x", "`x`", "? x", "{a: 1}", "http://x/y", "x]", "a'b", 'a"b']


def _random_doc(rng: random.Random) -> str:
    lines: list[str] = []

    def scalar() -> str:
        return rng.choice(_COMMON) if rng.random() < 0.75 else rng.choice(_SCALARS)

    for _ in range(rng.randint(1, 6)):
        key = rng.choice(_KEYS)
        shape = rng.random()
        if shape < 0.6:
            lines.append(f"{key}: {scalar()}".rstrip() if rng.random() < 0.9 else f"{key}:")
        elif shape < 0.8:
            indent = rng.choice(["", "  ", "   "])
            lines.append(f"{key}:")
            for _ in range(rng.randint(1, 3)):
                if rng.random() < 0.5:
                    lines.append(f"{indent}- {scalar()}".rstrip())
                else:
                    lines.append(f"{indent}- {rng.choice(_KEYS)}: {scalar()}".rstrip())
                    if rng.random() < 0.3:
                        lines.append(f"{indent}{rng.choice(['  ', ' ', '   '])}{rng.choice(_KEYS)}: "
                                     f"{scalar()}".rstrip())
        else:
            lines.append(f"{key}:")
            for _ in range(rng.randint(1, 3)):
                lines.append(f"{rng.choice(['  ', '    ', ' '])}{rng.choice(_KEYS)}: {scalar()}".rstrip())
        if rng.random() < 0.1:
            lines.append(rng.choice(["", "# comment", "  # indented comment"]))
    return "\n".join(lines) + "\n"


def test_fast_reader_agrees_with_pyyaml_on_random_documents():
    rng = random.Random(20261201)
    taken = 0
    for _ in range(6000):
        raw = _random_doc(rng)
        fast = frontmatter._simple(raw)
        if fast is None:
            continue
        taken += 1
        assert fast == pyyaml(raw), raw
    assert taken > 500  # the comparison means something only if the fast reader answers often


@pytest.mark.parametrize(("text", "expected"), [
    ("---\na: 1\n---\nbody", ("a: 1\n", 13)),
    ("---\t\r\na: 1\r\n...\r\nbody", ("a: 1\r\n", 17)),
    ("---\na: 1\n---", ("a: 1\n", 12)),  # closed at the end of the file
    ("---\n\n---\n", ("\n", 9)),
    ("---\n---\n", ("", 8)),  # an empty block
    ("---\n---\nx\n---\n", ("---\nx\n", 14)),  # as MkDocs reads it: the later line closes it
    ("---\na: 1\n----\nb\n--- x\n...\n", ("a: 1\n----\nb\n--- x\n", 26)),
    ("---\na: 1\n", None),  # never closed
    ("--- x\na: 1\n---\n", None),
    ("text\n---\na: 1\n---\n", None),
])
def test_split_finds_the_block_as_mkdocs_does(text, expected):
    assert frontmatter.split(text) == expected
