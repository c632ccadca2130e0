"""Causal graphs drawn as SVG at build time (graphsvg.py), and a site that loads nothing from
another host: the layout as a pure function, then real builds."""

from __future__ import annotations

import datetime as dt
import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from chronicle import graphsvg
from chronicle.graphsvg import NODE_H, NODE_W, Edge, Node
from conftest import MINI_BOOK, MKDOCS_YML, build, write_book

SVG = "{http://www.w3.org/2000/svg}"


def _book(n: int, seed: int = 1, per_node: int = 2) -> tuple[list[Node], list[Edge]]:
    """N events a few days apart over several years, each caused by up to PER_NODE of the 40
    events before it and dated no later (as in benchmarks/make_book.py), some of them dated by year or month only."""
    rng = random.Random(seed)
    day = dt.date(2015, 1, 1)
    nodes = []
    for i in range(n):
        day += dt.timedelta(days=rng.randint(3, 20))
        r = rng.random()
        date, key = ((str(day.year), (day.year, 0, 0)) if r < 0.1 else
                     (f"{day.year}-{day.month:02d}", (day.year, day.month, 0)) if r < 0.2 else
                     (day.isoformat(), (day.year, day.month, day.day)))
        title = rng.choice(["人工智能实验室发布新的大规模语言模型", "OpenAI: staged release of the model",
                            "短", "A title long enough to need three lines or more, cut with an ellipsis"])
        nodes.append(Node(f"e{i:03d}", f"{title} {i}", date, key, f"../e{i:03d}/",
                          rng.choice(["", "critical", "major", "notable", "minor"])))
    edges = []
    for i in range(1, n):
        # Causes dated no later than their effects, as `chronicle check` requires (causal-order).
        causes = [j for j in range(max(0, i - 40), i) if nodes[j].key <= nodes[i].key]
        for j in rng.sample(causes, min(len(causes), rng.randint(0, per_node))):
            edges.append(Edge(nodes[j].id, nodes[i].id, rng.choice(["enables", "influences"]), "rel"))
    return nodes, edges


def _parse(markup: object) -> ET.Element:
    return ET.fromstring(str(markup))  # raises on anything that is not well-formed XML


@pytest.mark.parametrize("n", [1, 2, 8, 200])
def test_layout_reads_along_time_and_no_two_boxes_overlap(n):
    nodes, edges = _book(n)
    lay = graphsvg.layout(nodes, edges)
    boxes = lay.boxes
    assert set(boxes) == {x.id for x in nodes}
    ordered = sorted(nodes, key=lambda x: (x.key, x.id))
    # Earlier events above, or to the left in the same row: reading order is date order.
    places = [(boxes[x.id].row, boxes[x.id].col) for x in ordered]
    assert places == sorted(places) and len(set(places)) == n
    assert [boxes[x.id].y for x in ordered] == sorted(boxes[x.id].y for x in ordered)
    for e in edges:  # every edge goes down the page, or right within its row
        a, b = boxes[e.source], boxes[e.target]
        assert (b.row > a.row and b.y > a.y) or (b.row == a.row and b.col > a.col)
    for a in boxes.values():
        assert 0 <= a.x and a.x + NODE_W <= lay.width and 0 <= a.y and a.y + NODE_H <= lay.height
        for b in boxes.values():
            if a is not b:
                assert (a.x + NODE_W <= b.x or b.x + NODE_W <= a.x or a.y + NODE_H <= b.y or b.y + NODE_H <= a.y)
    assert len(lay.paths) == len(edges)
    for _e, d in lay.paths:  # every edge is drawn inside the picture
        numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]
        assert numbers and all(0 <= v <= max(lay.width, lay.height) for v in numbers)
        xs = [float(v) for v in re.findall(r"[MQC ](-?\d+),", d)] + [float(v) for v in re.findall(r"H(-?\d+)", d)]
        assert all(0 <= x <= lay.width for x in xs), d


def test_a_year_starts_a_band_of_its_own():
    nodes, edges = _book(60)
    lay = graphsvg.layout(nodes, edges, columns=3)
    years = [y for y, _top in lay.years]
    assert years == sorted({x.key[0] for x in nodes})
    tops = dict(lay.years)
    for box in lay.boxes.values():
        year = box.node.key[0]
        later = [top for y, top in lay.years if y > year]
        assert tops[year] < box.y and all(box.y + NODE_H < top for top in later)
    assert max(b.col for b in lay.boxes.values()) == 2


def test_the_svg_is_sized_to_its_content_and_every_node_is_a_link():
    nodes, edges = _book(200)
    root = _parse(graphsvg.svg(nodes, edges, ident="g", label="Graph"))
    assert root.tag == "div" and root.get("class") == "chronicle-graph-view"
    svg = root.find(f"{SVG}svg")
    width, height = float(svg.get("width")), float(svg.get("height"))
    assert svg.get("viewBox") == f"0 0 {width:.0f} {height:.0f}"
    assert width < 800  # three columns: fits beside Material's navigation at 1280 px
    links = svg.findall(f".//{SVG}a")
    assert [a.get("href") for a in links] == [f"../{x.id}/" for x in sorted(nodes, key=lambda x: (x.key, x.id))]
    for a, x in zip(links, sorted(nodes, key=lambda x: (x.key, x.id)), strict=True):
        assert a.find(f"{SVG}title").text == f"{x.date} {x.label}"  # the whole title, on hover
        assert a.find(f"{SVG}rect") is not None and a.find(f".//{SVG}tspan").text == x.date
    assert len(svg.findall(f".//{SVG}path[@class]")) >= len(edges)
    ids = [el.get("id") for el in svg.iter() if el.get("id")]
    assert len(ids) == len(set(ids))


def test_the_focus_of_a_neighbourhood_is_marked():
    nodes, edges = _book(5)
    svg = _parse(graphsvg.svg(nodes, edges, ident="n", label="x", focus="e002"))
    marked = [a.get("id") for a in svg.iter(f"{SVG}a") if "chronicle-node--focus" in a.get("class")]
    assert len(marked) == 1


@pytest.mark.parametrize("text,width,lines", [
    ("Event A", 180, ["Event A"]),
    ("OpenAI: staged release of the model with a long title", 180,
     ["OpenAI: staged release", "of the model with a long…"]),
    ("人工智能实验室发布新的大规模语言模型", 100, ["人工智能实验室", "发布新的大规模…"]),  # 7 × 13 px
    ("Supercalifragilisticexpialidocious", 100, ["Supercalifrag", "ilisticexpiali…"]),
    ("  spaces\n and\tnewlines  ", 180, ["spaces and newlines"]),
    # No line ends with an opening mark or starts with a closing one.
    ("Transformer 问世：《Attention Is All You Need》", 178, ["Transformer 问世：", "《Attention Is All You…"]),
    ("GPT-2 完整模型（15 亿参数）发布", 166, ["GPT-2 完整模型（15 亿参", "数）发布"]),
    ("", 100, [""]),
])
def test_titles_wrap_in_two_lines_and_say_when_they_are_cut(text, width, lines):
    got = graphsvg.wrap(text, width, 2)
    assert got == lines
    assert all(graphsvg._px(line) <= width for line in got)


HOSTILE = ['<script>alert(1)</script>', '"><svg onload=alert(1)>', "]]><!--", "a & b < c", "x\u202eevil"]


@pytest.mark.parametrize("title", HOSTILE)
def test_a_hostile_title_is_text_in_the_svg(title):
    nodes = [Node("a", title, "2019", (2019, 0, 0), "../a/"),
             Node("b", "B", "2020", (2020, 0, 0), '"><img src=x onerror=alert(1)>')]
    markup = str(graphsvg.svg(nodes, [Edge("a", "b", "enables", title)], ident="g", label=title))
    root = _parse(markup)
    assert {el.tag.removeprefix(SVG) for el in root.iter()} <= {
        "div", "svg", "style", "defs", "marker", "path", "g", "text", "line", "a", "title", "rect", "tspan"}
    assert not [k for el in root.iter() for k in el.attrib if k.startswith("on")]
    titles = [el.text for el in root.iter(f"{SVG}title")]
    assert f"2019 {title}" in titles and f"{title} → {title} → B" in titles
    assert root.find(f"{SVG}svg").get("aria-label") == title


def test_a_javascript_href_is_left_out():
    nodes = [Node("a", "A", "2019", (2019, 0, 0), "javascript:alert(1)")]
    root = _parse(graphsvg.svg(nodes, [], ident="g", label="x"))
    assert root.find(f".//{SVG}a").get("href") is None


# -- in a built site ----------------------------------------------------------------


def _links_in_svg(html: str, start: str) -> list[str]:
    i = html.index(start)
    svg = html[i:html.index("</svg>", i)]
    return [a for a in re.findall(r"<a ([^>]*)>", svg)]


def _resolve(site: Path, page: str, href: str) -> Path:
    target = (site / page).parent / href
    return (target / "index.html") if href.endswith("/") else target


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    yml = MKDOCS_YML.replace("site_name: Mini\n", "site_name: Mini\nrepo_url: https://github.com/example/mini\n")
    root = write_book(tmp_path_factory.mktemp("graph") / "book", MINI_BOOK, yml)
    result = build(root)
    assert result.returncode == 0, result.output
    return result


@pytest.mark.parametrize("page,names", [
    ("graph/index.html", {"2019-02-14 事件甲", "2019-05 事件乙"}),
    ("en/graph/index.html", {"2019-02-14 Event A", "2019-05 事件乙"}),
    ("knowledge/events/evt-a/index.html", {"2019-02-14 事件甲", "2019-05 事件乙"}),
    ("en/knowledge/events/evt-b/index.html", {"2019-02-14 Event A", "2019-05 事件乙"}),
])
def test_graph_and_card_pages_hold_an_svg_whose_nodes_link_to_built_pages(mini, page, names):
    html = (mini.site / page).read_text(encoding="utf-8")
    links = _links_in_svg(html, 'id="chronicle-' + ('neighbourhood"' if 'knowledge' in page else 'graph"'))
    assert {re.search(r'aria-label="([^"]+)"', a)[1] for a in links} == names
    for a in links:
        href = re.search(r'href="([^"]+)"', a)[1]
        assert _resolve(mini.site, page, href).is_file(), (page, href)
        assert a.count("class=") == 1  # the mark of an untranslated target joins the node's class
    en = page.startswith("en/")
    target = _resolve(mini.site, page, re.search(r'href="([^"]+)"', links[0])[1])
    assert target.relative_to(mini.site).parts[0] == "en" if en else target.relative_to(mini.site).parts[0] != "en"
    assert "mermaid" not in html and "#quot;" not in html
    if "knowledge" in page:
        assert 'class="chronicle-node chronicle-node--critical' in html  # significance shows
        assert "chronicle-node--focus" in html


def test_the_graph_page_keeps_the_list_beside_the_drawing(mini):
    html = mini.page("en/graph")
    svg_end = html.index("</svg>")
    assert re.search(r'<li><a href="../knowledge/events/evt-a/">Event A</a> → <em>enables</em> → '
                     r'<a [^>]*href="../knowledge/events/evt-b/"', html[svg_end:])


def test_the_site_asks_no_font_host_and_no_repository_api(mini):
    html = mini.page("")
    assert "fonts.googleapis" not in html and "fonts.gstatic" not in html
    assert 'class="md-source"' in html  # the repository link stays...
    assert 'data-md-component="source"' not in html  # ...without the script's call to the GitHub API
    css = (mini.site / "assets" / "chronicle.css").read_text(encoding="utf-8")
    assert '"Noto Sans CJK SC"' in css and "--md-text-font:" in css


def test_an_author_may_choose_a_web_font_and_repository_facts(tmp_path):
    yml = MKDOCS_YML.replace("site_name: Mini\n", "site_name: Mini\nrepo_url: https://github.com/example/mini\n")
    yml = yml.replace("  name: material\n", "  name: material\n  font:\n    text: Noto Sans SC\n")
    yml = yml.replace("  - chronicle\n", "  - chronicle:\n      repo_stats: true\n")
    result = build(write_book(tmp_path / "book", MINI_BOOK, yml))
    assert result.returncode == 0, result.output
    html = result.page("")
    assert "https://fonts.googleapis.com/css?family=Noto+Sans+SC" in html
    assert 'data-md-component="source"' in html
