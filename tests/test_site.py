"""Real two-language builds of a small book: what readers of each language get."""

from __future__ import annotations

import re

from chronicle.l10n import localize_permalinks
from conftest import MINI_BOOK, MKDOCS_YML, build, build_hostile_book, write_book


def article(html: str) -> str:
    return html[html.index("<article"): html.index("</article>")]


def test_id_link_goes_to_english_card_with_english_title(mini_site):
    page = article(mini_site.page("en/01-intro/intro"))
    assert '<a href="../../knowledge/events/evt-a/">Event A</a>' in page
    assert (mini_site.site / "en/knowledge/events/evt-a/index.html").is_file()


def test_id_link_goes_to_chinese_card_with_chinese_title(mini_site):
    page = article(mini_site.page("01-intro/intro"))
    assert '<a href="../../knowledge/events/evt-a/">事件甲</a>' in page


def test_id_link_with_own_text_and_chapter_folder_id(mini_site):
    assert ">自定义文字</a>" in mini_site.page("01-intro/intro")
    home = article(mini_site.page("en/"))
    assert '<a href="01-intro/intro/">Chapter one</a>' in home


def test_embed_shows_localized_title_and_summary(mini_site):
    en = article(mini_site.page("en/01-intro/intro"))
    box = re.search(r'<div class="chronicle-card[^"]*"[^>]*>(.*?)</div>', en, re.S)
    assert box, en
    assert ">Event A</a>" in box.group(1)
    assert "Summary of event A" in box.group(1)
    assert "2019-02-14" in box.group(1) and "OpenAI" in box.group(1)
    zh = article(mini_site.page("01-intro/intro"))
    assert ">事件甲</a>" in zh and "事件甲的摘要" in zh
    # The card's own headings are not copied into the host page: no duplicate ids.
    ids = re.findall(r'\sid="([^"]+)"', zh)
    assert len(ids) == len(set(ids))


def test_embedded_card_links_are_rebased_to_the_host_page(mini_site):
    en = article(mini_site.page("en/01-intro/intro"))
    # The card links to ../../manuscript/01-intro/intro.md#debate, which is the host itself.
    assert '<a href="./#debate">chapter one</a>' in en


def test_untranslated_card_falls_back_and_says_so(mini_site):
    page = article(mini_site.page("en/knowledge/events/evt-b"))
    assert "chronicle-fallback" in page
    assert "只有中文" in page
    translated = article(mini_site.page("en/knowledge/events/evt-a"))
    assert "chronicle-fallback" not in translated
    # A fallback card with a title_en is titled in English, its body in Chinese.
    concept = mini_site.page("en/knowledge/concepts/concept-x")
    assert re.search(r"<h1[^>]*>Concept X</h1>", concept) and "一个概念。" in concept
    assert "<title>Concept X - Mini</title>" in concept


def test_link_to_untranslated_page_is_marked(mini_site):
    en = article(mini_site.page("en/01-intro/intro"))
    marked = r"<a hreflang=\"zh\"[^>]*class=\"chronicle-untranslated\"[^>]*href=\"../../knowledge/events/evt-b/\""
    assert re.search(marked, en)
    zh = article(mini_site.page("01-intro/intro"))
    assert "chronicle-untranslated" not in zh


def test_relative_links_card_to_chapter_and_back_in_both_languages(mini_site):
    for prefix in ("", "en/"):
        chapter = article(mini_site.page(prefix + "01-intro/intro"))
        assert 'href="../../knowledge/events/evt-a/#overview"' in chapter
        card = article(mini_site.page(prefix + "knowledge/events/evt-a"))
        assert 'href="../../../01-intro/intro/#debate"' in card
        assert (mini_site.site / prefix / "01-intro/intro/index.html").is_file()


def test_citations_render_and_list_the_references(mini_site):
    for prefix, heading in (("", "参考文献"), ("en/", "References")):
        page = article(mini_site.page(prefix + "01-intro/intro"))
        assert '(<a class="chronicle-cite" href="#ref-smith2020">Smith et al., 2020</a>)' in page
        assert '<a class="chronicle-cite" href="#ref-org2019">OpenAI, 2019</a>)' in page
        assert f'<h2 id="chronicle-references">{heading}' in page
        assert '<li id="ref-smith2020">' in page and "A paper" in page


def test_code_is_never_rewritten(mini_site):
    zh = article(mini_site.page("01-intro/intro"))
    assert "<code>[[nope]]</code>" in zh
    assert "[[also-nope]] [@nokey]" in zh


def test_chapters_sit_at_the_root_and_edit_link_points_at_the_real_file(tmp_path):
    yml = "repo_url: https://example.org/r\nedit_uri: edit/main/\n" + MKDOCS_YML.replace(
        "  name: material\n", "  name: material\n  features: [content.action.edit]\n")
    root = write_book(tmp_path / "b", MINI_BOOK, yml)
    result = build(root)
    assert result.returncode == 0, result.output
    page = result.page("01-intro/intro")
    assert "https://example.org/r/edit/main/manuscript/01-intro/intro.md" in page
    en = result.page("en/knowledge/events/evt-a")
    assert "https://example.org/r/edit/main/knowledge/events/evt-a.en.md" in en
    assert not (result.site / "manuscript").exists()


def test_heading_permalinks_are_titled_in_the_readers_language(tmp_path):
    yml = MKDOCS_YML.replace("  - toc:\n", "  - toc:\n      permalink: true\n")
    result = build(write_book(tmp_path / "b", MINI_BOOK, yml))
    assert result.returncode == 0, result.output
    zh = article(result.page("01-intro/intro"))
    en = article(result.page("en/01-intro/intro"))
    # toc's title is English on every page; a Chinese page's headings now say it in Chinese.
    assert re.search(r'<a class="headerlink" href="#debate" title="永久链接">', zh), zh
    assert "Permanent link" not in zh
    assert 'title="Permanent link"' in en and "永久链接" not in en
    # A card page and a generated page are pages like the others.
    assert 'title="永久链接"' in article(result.page("knowledge/events/evt-a"))
    assert 'title="Permanent link"' in article(result.page("en/knowledge/events/evt-a"))


def test_a_permalink_title_the_book_sets_is_kept():
    heading = '<h2 id="a">A<a class="headerlink" href="#a" title="Permanent link">&para;</a></h2>'
    assert localize_permalinks(heading, "zh", {"permalink": True, "permalink_title": "Permanent link"}) == heading
    assert localize_permalinks(heading, "zh", {}) == heading  # no permalinks: nothing to title
    assert localize_permalinks(heading, "fr", {"permalink": True}) == heading  # no French strings
    custom = heading.replace('"headerlink"', '"anchor"')
    assert 'title="永久链接"' in localize_permalinks(custom, "zh", {"permalink": "#", "permalink_class": "anchor"})
    code = "<pre><code>&lt;a class=&quot;headerlink&quot; title=&quot;Permanent link&quot;</code></pre>"
    assert localize_permalinks(code, "zh", {"permalink": True}) == code


def test_card_title_is_escaped_everywhere(tmp_path):
    result = build_hostile_book(tmp_path / "b", "<script>alert(1)</script>")
    for url in ("01-intro/intro", "knowledge/events/evil", "timeline", "en/knowledge/events/evil"):
        whole = result.page(url)
        assert "<script>alert(1)</script>" not in whole, url  # nav, header and <title> included
        html = article(whole)
        assert "<img src=x" not in html and "<b>Org</b>" not in html, url
    chapter = article(result.page("01-intro/intro"))
    assert chapter.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2  # link text and embed title


def test_second_build_is_identical_and_writes_nothing_outside(tmp_path):
    root = write_book(tmp_path / "b", MINI_BOOK)
    before = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    first = build(root)
    assert first.returncode == 0, first.output
    own = ("site", ".site-src", ".chronicle-cache")  # the site, the staging folder, the cache
    after = sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                   if not p.relative_to(root).as_posix().startswith(own))
    assert after == [p for p in before if not p.startswith(own)]
    for folder in own[1:]:  # both git-ignore themselves
        assert (root / folder / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    html1 = first.page("en/01-intro/intro")
    second = build(root)
    assert second.returncode == 0
    assert second.page("en/01-intro/intro") == html1
    assert (root / ".site-src/.gitignore").read_text().strip().endswith("*")


def test_search_indexes_the_text_and_not_the_boxes_lists_and_panels(tmp_path):
    """Card boxes, reference lists, backlinks and metadata panels repeat what has its own page."""
    import json

    yml = MKDOCS_YML.replace("plugins:\n  - chronicle\n", "plugins:\n  - search\n  - chronicle\n")
    assert yml != MKDOCS_YML
    result = build(write_book(tmp_path / "b", MINI_BOOK, yml))
    assert result.returncode == 0, result.output
    docs = json.loads((result.site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    # Each language's index sits in its folder, with locations relative to it (see search.py).
    en = json.loads((result.site / "en" / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    docs += [dict(d, location="en/" + d["location"]) for d in en]

    def text(location: str) -> str:
        return " ".join(d["title"] + " " + d["text"] for d in docs if d["location"].split("#")[0] == location)

    chapter = text("en/01-intro/intro/")
    assert "Citing" in chapter and "Body." in chapter  # the chapter's own words
    assert "Summary of event A" not in chapter  # the embedded card box
    assert "A paper" not in chapter  # the reference list
    card = text("en/knowledge/events/evt-a/")
    assert "Summary of event A" in card
    assert "Chapter one" not in card  # the backlinks at its foot
    assert "OpenAI" not in card  # the metadata panel
    assert not [d for d in docs if d["location"].endswith(("#chronicle-references", "#chronicle-backlinks"))]
    for url in ("en/01-intro/intro", "01-intro/intro", "en/knowledge/events/evt-a"):
        page = result.page(url)
        assert "<!--chronicle" not in page and "data-search-exclude" not in page, url
        # The headings of the lists are not search sections but are in the table of contents.
        heading = "chronicle-backlinks" if "knowledge" in url else "chronicle-references"
        assert f'<h2 id="{heading}">' in page and f'href="#{heading}"' in page, url
