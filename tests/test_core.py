"""The pure core, without MkDocs: tables of cases for the scanner, the schema and the resolver."""

from __future__ import annotations

import pytest
from chronicle import cards, frontmatter, scanner
from chronicle.render import md_text
from chronicle.schema import BUILTIN
from chronicle.settings import _toc_slugify


def refs(text: str) -> list[tuple[str, str, int, int]]:
    scan = scanner.scan(text)
    return [(r.kind, r.target, r.line, r.col) for r in scan.refs]


@pytest.mark.parametrize("text,expected", [
    ("[a](b.md)", [("link", "b.md", 1, 1)]),
    ("x ![i](p.png)", [("image", "p.png", 1, 3)]),
    ('[a](b.md "title")', [("link", "b.md", 1, 1)]),
    ("[a](<b c.md>)", [("link", "b c.md", 1, 1)]),
    ("[[id]]", [("wikilink", "id", 1, 1)]),
    ("[[id#sec|text]]", [("wikilink", "id#sec|text", 1, 1)]),
    ("| [[id\\|text]] |", [("wikilink", "id\\|text", 1, 3)]),
    ("![[card]]", [("embed", "card", 1, 1)]),
    ("  ![[card]]  ", [("embed", "card", 1, 3)]),
    # An embed stands alone on its line; inside one it is a link (and a warning).
    ("text ![[card]] inline", [("embed-inline", "card", 1, 6)]),
    ("[[]] ![[ ]]", [("wiki-syntax", "[[]]", 1, 1), ("wiki-syntax", "![[ ]]", 1, 6)]),
    ("see [[card and ![[x", [("wiki-syntax", "[[card", 1, 5), ("wiki-syntax", "![[x", 1, 16)]),
    ("`[[x` and `![[]]`", []),
    ("[@key]", [("cite", "@key", 1, 1)]),
    ("[@a; @b]", [("cite", "@a; @b", 1, 1)]),
    ("备忘录[@key]。", [("cite", "@key", 1, 4)]),  # Chinese puts citations right after a character
    ("[@a](mailto:x)", [("link", "mailto:x", 1, 1)]),
    ("[see @a]", []),
    ("taught them [@a]: how", [("cite", "@a", 1, 13)]),
    ("[x][lab]\n\n[lab]: u.md", [("reflink", "lab", 1, 1), ("refdef", "u.md", 3, 1)]),
    ("[@my label]: u.md\n\n[a][@my label]", [("refdef", "u.md", 1, 1), ("reflink", "@my label", 3, 1)]),
    ("[@key]: u.md", [("refdef", "u.md", 1, 1)]),  # a definition, although its label looks like a key
    ("[@a ;  @b ]", [("cite", "@a ;  @b ", 1, 1)]),
    ("[@a;b] [@a b]", []),
    ('<a href="h.md">x</a>', [("html-link", "h.md", 1, 1)]),
    ("<img src='i.png'>", [("html-image", "i.png", 1, 1)]),
    ('<A CLASS="x" HREF="h.md">x</A> <IMG SRC="i.png">', [("html-link", "h.md", 1, 1), ("html-image", "i.png", 1, 32)]),
    ('<img alt="x" href="no.md" src="i.png">', [("html-image", "i.png", 1, 1)]),  # an <img>'s href is not a link
    ('<a src="no.png" href="h.md">x</a>', [("html-link", "h.md", 1, 1)]),
    ("<abbr href='no.md'>x</abbr> <imgs src='no.png'>", []),
    ("# A `x` B {#ab}\n\n[[ab]]", [("wikilink", "ab", 3, 1)]),
    ("`[[no]]` and ``[a](b.md)``", []),
    ("```\n[[no]]\n```\n[[yes]]", [("wikilink", "yes", 4, 1)]),
    ("~~~~md\n[a](b.md)\n~~~~", []),
    ("para\n\n    [[indented-code]]\n", []),
    ("- item\n\n    [[in-list]]\n", [("wikilink", "in-list", 3, 5)]),
    ("!!! note\n\n    [[in-admonition]]\n", [("wikilink", "in-admonition", 3, 5)]),
    ("<!-- [[commented]] -->", []),
    ("\\[[escaped]]", []),
    ("中文[[id]]", [("wikilink", "id", 1, 3)]),
    ("[![img](a.png)](b.md)", [("image", "a.png", 1, 2), ("link", "b.md", 1, 1)]),
])
def test_scanner_finds_references_outside_code(text, expected):
    assert sorted(refs(text), key=lambda r: (r[2], r[3], r[0])) == sorted(expected, key=lambda r: (r[2], r[3], r[0]))


def test_facts_agree_with_the_renderers_scan():
    """The checker's fast path (scanner.facts) finds what the renderer's scan() and anchors() find."""
    text = ("---\ntitle: x\n---\n# Intro `code` {#intro}\n\n# Not   `x`   a span\n\n"
            "See [a](b.md#s) and [[id|t]] [@k1; @k2].\n\n"
            "## Same\n## Same\n\n```\n[[no]]\n```\n![[card]]\n\nSetext\n------\n\n[r][d]\n\n[d]: <x y.md>\n")
    offset = frontmatter.parse(text).body_offset
    scan = scanner.scan(text, offset)
    sites, definitions, anchors, title = scanner.facts(text, offset, SLUG)
    assert sites == [(r.kind, r.target, r.keys, r.start) for r in scan.refs]
    assert [scanner.position(text, site[3]) for site in sites] == [(r.line, r.col) for r in scan.refs]
    assert len(sites) == 6 and definitions == scan.definitions == {"d": "x y.md"}
    # "not-x-a-span", as Python-Markdown's toc gives it (the blanked code span once made it
    # "not---x---a-span", which no rendered page had).
    assert anchors == scanner.anchors(scan, SLUG) == {"intro", "not-x-a-span", "same", "same_1", "setext"}
    assert title == "Intro code"


def test_scanner_ignores_front_matter_but_counts_its_lines():
    text = "---\ntitle: '[[x]]'\n---\n# T\n\n[[y]]\n"
    fm = frontmatter.parse(text)
    scan = scanner.scan(text, fm.body_offset)
    assert [(r.target, (r.line, r.col)) for r in scan.refs] == [("y", (6, 1))]


SLUG = _toc_slugify([{"toc": {"slugify": __import__("pymdownx.slugs", fromlist=["x"]).slugify(case="lower")}}])


@pytest.mark.parametrize("text,ids", [
    ("# Hello World", {"hello-world"}),
    ("## 事件概述", {"事件概述"}),
    ("## 争论 {#debate}", {"debate"}),
    ("## Title {: #custom .cls }", {"custom"}),
    ("# A\n# A", {"a", "a_1"}),
    ("## **Bold** `code` [link](x.md)", {"bold-code-link"}),
    ("Setext\n======", {"setext"}),
    ('<span id="raw"></span>\n\nPara {#para-id}', {"raw", "para-id"}),
    ("```\n# not a heading\n```", set()),
])
def test_anchors_follow_the_configured_slugify(text, ids):
    assert scanner.anchors(scanner.scan(text), SLUG) == ids


def test_frontmatter_lines_and_errors():
    fm = frontmatter.parse("---\na: 1\nlist:\n  - x\n  - y\n---\nbody")
    assert fm.line_of("a") == 2 and fm.line_of("list", 1) == 5 and fm.key_line("list") == 3
    bad = frontmatter.parse("---\na: 1\nb: [x\n---\n")
    assert bad.error.startswith("invalid YAML front matter") and bad.error_line == 3
    dated = frontmatter.parse("---\ndate: 2019-13-01\n---\n")
    assert dated.data == {"date": "2019-13-01"} and not dated.error


@pytest.mark.parametrize("data,message", [
    ({"event_id": "a", "date": "2019-02-30", "title": "t"}, "field 'date': '2019-02-30' is not a real date"),
    ({"event_id": "a", "date": "19-02", "title": "t"}, "field 'date': '19-02' is not a date"),
    ({"event_id": "a", "date": 2019, "title": "t", "colour": 1}, "unknown field 'colour'"),
    ({"event_id": "a", "title": "t"}, "required field 'date' is missing"),
    ({"event_id": "a b", "date": 2019, "title": "t"}, "field 'event_id': 'a b' is not a slug"),
    ({"event_id": "a", "date": 2019, "title": "t", "significance_level": "huge"}, "field 'significance_level'"),
    ({"event_id": "a", "date": 2019, "title": "t", "causal_connections": [{"causes": "b"}]},
     "unknown relation 'causes'"),
    ({"event_id": "a", "date": 2019, "title": "t", "causal_connections": [{"enables": [{"x": 1}]}]},
     "'enables' takes event ids"),
])
def test_event_schema_errors_name_the_field(data, message):
    card, errors = cards.validate("event", data, frontmatter.FrontMatter(), BUILTIN)
    if "event_id" in message:
        assert card is None  # without its id there is nothing to keep
    else:
        # The card keeps its id and every valid field; the bad one is left out.
        assert card is not None and card["event_id"] == "a" and card["title"] == "t"
        assert "colour" not in card and card["significance_level"] is None and card["causal_connections"] == []
    assert [i[4] for i in errors if message in i[4]], errors


@pytest.mark.parametrize("connections,relations", [
    ([{"enabled_by": ["a"]}, {"enables": "b"}, {"demonstrates": "x"}], [("enabled_by", "a", 0), ("enables", "b", 1)]),
    ({"enabled_by": "a", "influences": ["b", "c"]},
     [("enabled_by", "a", 0), ("influences", "b", 1), ("influences", "c", 1)]),
])
def test_causal_connections_accept_both_forms(connections, relations):
    result = cards.validate("event", {"event_id": "e", "date": "2019-05", "title": "t",
                                      "causal_connections": connections}, frontmatter.FrontMatter(), BUILTIN)
    assert result[1] == [] and cards.make("event", result, BUILTIN).relations() == relations


def test_date_precision_sorts_year_before_month_before_day():
    mk = lambda d: cards.Card("event", {"event_id": "e", "date": d, "title": "t"}, BUILTIN["event"])  # noqa: E731
    assert sorted(["2019-02-14", "2019", "2019-01", "2018-12-31"], key=lambda d: mk(d).sort_key()) == [
        "2018-12-31", "2019", "2019-01", "2019-02-14"]


def test_md_text_neutralises_markup():
    assert md_text("<script>alert(1)</script> *x* [y](z)") == (
        "&lt;script&gt;alert(1)&lt;/script&gt; \\*x\\* \\[y\\](z)")


def test_citation_labels(tmp_path):
    from chronicle import bibliography

    (tmp_path / "refs.bib").write_text("""
    @article{a, author={Radford, Alec and Wu, Jeff and Child, Rewon}, year={2019}, title={T}}
    @article{b, author={Vaswani, A. and Shazeer, N.}, year={2017}, title={T}}
    @misc{c, author={{OpenAI}}, year={2019}, title={T}, credibility={2}}
    @misc{d, author={Radford, A. and Kim, B. and Lee, C.}, year={2019}, title={A blog post}}
    """, encoding="utf-8")
    parsed = bibliography.load(tmp_path, "refs.bib")
    # As the cache gives it back: keys and tiers only; pybtex parses when a label is asked for.
    cached = bibliography.merge([bibliography.load_file(tmp_path, "refs.bib", parsed.sources[0].summary())])
    assert cached.sources[0]._entries is None and set(cached.tiers) == {"a", "b", "c", "d"}
    for bib in (parsed, cached):
        assert bib.label("a") == "Radford et al., 2019b"  # "T" sorts after "A blog post"
        assert bib.label("d") == "Radford et al., 2019a"
        assert bib.label("b") == "Vaswani and Shazeer, 2017"
        assert bib.label("c") == "OpenAI, 2019"
        assert bib.credibility("c") == 2 and bib.credibility("a") is None


@pytest.mark.parametrize("html,expected", [
    ('<a href="../b/">b</a>', '<a hreflang="zh" data-chronicle-lang="zh only" class="chronicle-untranslated" '
                              'href="../b/">b</a>'),
    ('<a class="x" href="../b/#s">b</a>', '<a hreflang="zh" data-chronicle-lang="zh only" '
                                         'class="chronicle-untranslated x" href="../b/#s">b</a>'),
    ('<a href="../c/">c</a>', '<a href="../c/">c</a>'),  # translated
    ('<a href="https://x.org/b/">x</a>', '<a href="https://x.org/b/">x</a>'),
    ('<a href="#top">t</a>', '<a href="#top">t</a>'),
])
def test_links_to_pages_in_another_language_are_marked(html, expected):
    from chronicle.render import mark_untranslated

    locales = {"en/b": "zh", "en/c": "en"}
    out = mark_untranslated(html, "en/a/", "en", locales.get, lambda loc: f"{loc} only")
    assert out == expected


def test_chapter_folder_id_names_its_index_page_first(tmp_path):
    from chronicle import loading
    from chronicle.config import ChronicleConfig
    from chronicle.settings import make_settings

    for rel, text in {"manuscript/02-x/a-first.md": "# A\n", "manuscript/02-x/index.md": "# Index\n",
                      "manuscript/03-y/b.md": "# B\n", "manuscript/03-y/c.md": "# C\n"}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    options = ChronicleConfig()
    options.load_dict({})
    options.validate()
    settings = make_settings(tmp_path, docs_dir="manuscript", options=options, languages=["zh", "en"],
                             default_language="zh", slugify=None)
    book = loading.load(settings)
    assert book.entries["02-x"].base == "manuscript/02-x/index.md"
    assert book.entries["03-y"].base == "manuscript/03-y/b.md"


def test_split_localized_takes_out_only_the_localized_fields_of_known_languages():
    from chronicle.cards import split_localized

    data = {"title": "标题", "title_en": "Title", "organization_en": "Org", "title_fr": "Titre",
            "title_en_x": 1, "title_": 2, 2019: "year", "event_id": "e"}
    rest, localized = split_localized(data, ["zh", "en"])
    assert localized == {"en": {"title": "Title", "organization": "Org"}}
    assert rest == {"title": "标题", "title_fr": "Titre", "title_en_x": 1, "title_": 2, 2019: "year", "event_id": "e"}


@pytest.mark.parametrize("text", [
    "---\ntags:\n  - a\n---\n\n    [[in-code]]\n",  # a YAML list is not a list item the code continues
    "---\ntitle: '<!-- x'\n---\n[[seen]]\n",  # nor does a comment opened there hide the body
    "---\ntitle: '`x'\n---\n[[seen]] `y`\n",  # nor does a backtick there pair with one in the body
])
def test_the_front_matter_never_changes_how_the_body_is_read(text):
    offset = frontmatter.parse(text).body_offset
    body = "\n" * text.count("\n", 0, offset) + text[offset:]  # the body alone, at the same lines
    expected = [(r[1], r[2]) for r in refs(body)]
    assert expected == ([] if "in-code" in text else [("seen", len(body) - len(text[offset:]) + 1)])
    assert [(r.target, r.line) for r in scanner.scan(text, offset).refs] == expected
    assert [s[1] for s in scanner.facts(text, offset, SLUG)[0]] == [t for t, _ in expected]


def test_front_matter_rebuilt_from_the_facts_is_the_parsed_one():
    from chronicle import loading

    text = "---\ntitle: T\ntags: [a, b]\n---\n# H\n"
    facts = loading.facts_of(text, SLUG)
    assert loading._front_matter(facts) == frontmatter.parse(text)
    broken = "---\ntitle: [unclosed\n---\n"
    assert loading._front_matter(loading.facts_of(broken, SLUG)) == frontmatter.parse(broken)
