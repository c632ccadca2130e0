"""Generated pages and card footers: timeline, concept index, causal graph, backlinks, status."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import MINI_BOOK, MKDOCS_YML, build, write_book


def article(html: str) -> str:
    return html[html.index("<article"): html.index("</article>")]


EXTRA = {
    "knowledge/events/year-only.md": """
        ---
        event_id: year-only
        date: 2019
        title: 只有年份
        title_en: Year only
        significance_level: minor
        ---
        # 只有年份

        年份事件。
        """,
    "knowledge/events/early.md": """
        ---
        event_id: early
        date: 2018-06-11
        title: 早期事件
        title_en: Early event
        significance_level: major
        causal_connections:
          - enables: [evt-a]
        ---
        # 早期事件

        早期。

        ![[evt-a]]
        """,
    "knowledge/events/late.md": """
        ---
        event_id: late
        date: 2020-05-28
        title: 后来
        title_en: Later
        causal_connections:
          enabled_by: [evt-a]
          influenced_by: [evt-b]
        ---
        # 后来

        后来。
        """,
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    files = {**MINI_BOOK, **EXTRA}
    root = write_book(tmp_path_factory.mktemp("gen") / "book", files)
    result = build(root, strict=True)
    assert result.returncode == 0, result.output
    return result


def _titles_in_order(html: str) -> list[str]:
    return re.findall(r'<time[^>]*>[^<]*</time>(?: \([^)]*\)| （[^）]*）)? <a [^>]*>([^<]+)</a>', html)


def test_timeline_orders_events_with_year_only_first_in_its_year(site):
    en = article(site.page("en/timeline"))
    assert _titles_in_order(en) == ["Early event", "Year only", "Event A", "事件乙", "Later"]
    zh = article(site.page("timeline"))
    assert _titles_in_order(zh) == ["早期事件", "只有年份", "事件甲", "事件乙", "后来"]
    assert [h for h in re.findall(r'<h2 id="(y\d+)"', en)] == ["y2018", "y2019", "y2020"]
    assert '<a href="#y2019">2019</a>' in en
    assert 'datetime="2019-05">2019-05</time>' in en  # month precision kept
    assert "chronicle-badge--critical" in en and "chronicle-badge--major" in en


def test_causal_graph_has_nodes_and_labelled_edges(site):
    en = article(site.page("en/graph"))
    svg = en[en.index("<svg"):en.index("</svg>")]
    links = re.findall(r"<a ([^>]*)>", svg)
    nodes = {re.search(r'href="([^"]+)"', a)[1]: re.search(r'aria-label="[^ ]+ ([^"]+)"', a)[1] for a in links}
    assert all(a.count("class=") == 1 and "chronicle-node" in a for a in links)
    assert set(nodes.values()) == {"Early event", "Year only", "Event A", "事件乙", "Later"}
    assert nodes["../knowledge/events/late/"] == "Later"
    edges = set(re.findall(r"<path[^>]*><title>([^<]+) → (\w+) → ([^<]+)</title>", svg))
    assert edges == {
        ("Early event", "enables", "Event A"),
        ("Event A", "enables", "事件乙"),
        ("Event A", "enables", "Later"),
        ("事件乙", "influences", "Later"),
    }
    assert "mermaid" not in en
    zh = article(site.page("graph"))
    assert "→ 促成 →" in zh


def test_event_card_shows_its_neighbourhood_only(site):
    page = article(site.page("en/knowledge/events/late"))
    graph = page[page.index('id="chronicle-graph"'):]
    assert "Event A" in graph and "事件乙" in graph and "Later" in graph
    assert "Early event" not in graph  # two steps away


def test_backlinks_from_a_chapter_and_from_an_embed(site):
    en = article(site.page("en/knowledge/events/evt-a"))
    foot = en[en.index('id="chronicle-backlinks"'):]
    assert '<a href="../../../01-intro/intro/">Chapter one</a> ⧉' in foot  # linked and embedded
    assert re.search(r'<a [^>]*href="../early/">Early event</a> ⧉', foot)  # embedded by a card
    zh = article(site.page("knowledge/events/evt-a"))
    assert '<a href="../../../01-intro/intro/">第一章</a>' in zh


def test_concept_index_lists_names_summary_events_and_chapters(site):
    en = article(site.page("en/concepts"))
    assert "Concept X" in en and '<span class="chronicle-alt">概念 X</span>' in en
    assert "一个概念。" in en  # untranslated: its Chinese summary
    assert '<strong>Events</strong>: <a href="../knowledge/events/evt-a/">Event A</a>' in en
    assert '<strong>Chapters</strong>: <a href="../01-intro/intro/">Chapter one</a>' in en


def test_status_page_and_command_show_translated_missing_and_stale(tmp_path):
    files = dict(MINI_BOOK)
    files["manuscript/01-intro/intro.en.md"] = files["manuscript/01-intro/intro.en.md"].replace(
        "# Chapter one", "---\n        translated_from: 000000000000\n        ---\n        # Chapter one")
    yml = MKDOCS_YML.replace("  - chronicle\n", "  - chronicle:\n      status: {enabled: true}\n")
    root = write_book(tmp_path / "b", files, yml)
    proc = subprocess.run([sys.executable, "-m", "chronicle.cli", "status", str(root)],
                          capture_output=True, text=True)
    lines = {tuple(line.split()[:3]) for line in proc.stdout.splitlines()}
    assert ("manuscript/01-intro/intro.md", "en", "stale") in lines
    assert ("knowledge/events/evt-a.md", "en", "translated") in lines
    assert ("knowledge/events/evt-b.md", "en", "missing") in lines
    check = subprocess.run([sys.executable, "-m", "chronicle.cli", "check", str(root)],
                           capture_output=True, text=True)
    assert "manuscript/01-intro/intro.en.md:1:1: warning stale-translation" in check.stdout
    assert check.returncode == 0
    result = build(root)
    assert result.returncode == 0, result.output
    page = article(result.page("en/translations"))
    row = re.search(r"<tr>\s*<td><a [^>]*>Chapter one</a>.*?</tr>", page, re.S)
    assert row and "chronicle-status--stale" in row.group(0)
    assert re.search(r"Event A</a>.*?chronicle-status--translated", page, re.S)
    assert re.search(r"事件乙</a>.*?chronicle-status--missing", page, re.S)


def test_stale_from_git_history(tmp_path):
    root = write_book(tmp_path / "b", MINI_BOOK)

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                       env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                            "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin"})

    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "one", "--date", "2020-01-01T00:00:00")
    (root / "knowledge/events/evt-a.md").write_text(
        (root / "knowledge/events/evt-a.md").read_text(encoding="utf-8") + "\n更新。\n", encoding="utf-8")
    subprocess.run(["git", "-C", str(root), "commit", "-qam", "two"], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin",
                        "GIT_COMMITTER_DATE": "2021-01-01T00:00:00", "GIT_AUTHOR_DATE": "2021-01-01T00:00:00"})
    proc = subprocess.run([sys.executable, "-m", "chronicle.cli", "status", str(root)],
                          capture_output=True, text=True)
    assert "knowledge/events/evt-a.md  en  stale" in re.sub(r" +", "  ", proc.stdout)
    assert "manuscript/01-intro/intro.md  en  translated" in re.sub(r" +", "  ", proc.stdout)


def test_generated_pages_can_be_moved_renamed_and_turned_off(tmp_path):
    yml = MKDOCS_YML.replace("  - chronicle\n", """  - chronicle:
      timeline:
        path: history/when.md
        title: {zh: 大事记, en: Chronology}
      graph:
        enabled: false
      backlinks: false
""")
    root = write_book(tmp_path / "b", MINI_BOOK, yml)
    result = build(root)
    assert result.returncode == 0, result.output
    assert "<h1 id=\"chronology\">Chronology</h1>" in result.page("en/history/when")
    assert "大事记" in result.page("history/when")
    assert not (result.site / "graph").exists() and not (result.site / "timeline").exists()
    assert not (result.site / "translations").exists()  # the status page is opt-in
    assert 'id="chronicle-backlinks"' not in result.page("knowledge/events/evt-a")


def test_every_generated_page_is_registered_with_an_option_of_its_name():
    from chronicle.config import ChronicleConfig, GeneratedPageConfig
    from chronicle.pages import GENERATED_PAGES
    from mkdocs.config import config_options as c

    options = {name for name, option in ChronicleConfig._schema
               if isinstance(option, c.SubConfig) and issubclass(option.config_class, GeneratedPageConfig)}
    assert set(GENERATED_PAGES) == options == {"timeline", "concepts", "graph", "status"}


def test_a_generated_page_without_an_option_or_registered_twice_is_refused():
    from chronicle import pages
    from chronicle.config import ChronicleConfig

    config = ChronicleConfig()
    config.load_dict({})
    assert config.validate() == ([], [])
    extra = pages.GeneratedPage("glossary", "glossary.md", lambda book, lang, src, ctx: "# Glossary\n")
    pages.register(extra)
    try:
        with pytest.raises(LookupError, match="'glossary' has no option"):
            pages.generated_paths(config)
        with pytest.raises(ValueError, match="registered already"):
            pages.register(extra)
    finally:
        del pages.GENERATED_PAGES["glossary"]
    assert set(pages.generated_paths(config)) == {"timeline", "concepts", "graph"}  # status: off by default


def test_a_book_without_cards_gets_no_views_of_cards(tmp_path):
    # A documentation site that added the plugin for its links: no empty timeline, graph or
    # concept index, in the site or its navigation; the first card brings them.
    files = {p: t for p, t in MINI_BOOK.items() if p.startswith("manuscript/")}
    files["manuscript/01-intro/intro.md"] = "# 引言\n\n正文。\n"
    files["manuscript/01-intro/intro.en.md"] = "# Intro\n\nText.\n"
    root = write_book(tmp_path / "b", files)
    result = build(root, strict=False)
    assert result.returncode == 0, result.output
    for name in ("timeline", "graph", "concepts"):
        assert not (result.site / name).exists() and not (result.site / "en" / name).exists(), name
    home = result.page("")
    assert "timeline/" not in home and "graph/" not in home and "intro/" in home
    (root / "knowledge/events").mkdir(parents=True, exist_ok=True)
    (root / "knowledge/events/e1.md").write_text("---\nevent_id: e1\ndate: 2019-02-14\ntitle: 发布\n---\n\n# 发布\n",
                                               encoding="utf-8")
    result = build(root, strict=False)
    assert result.returncode == 0, result.output
    assert "发布" in result.page("timeline") and "timeline/" in result.page("")
