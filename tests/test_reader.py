"""What a reader of each language sees: localized values, the index's order, a page shown in
place of its translation, broken references marked while the author serves (real builds)."""

from __future__ import annotations

import re

import pytest
from chronicle.collation import sort_key
from chronicle.l10n import value
from conftest import MINI_BOOK, Result, build, write_book


def article(html: str) -> str:
    return html[html.index("<article"): html.index("</article>")]


def head(html: str) -> str:
    return html[: html.index("</head>")]


READER_BOOK = dict(MINI_BOOK)
READER_BOOK["knowledge/events/evt-a.md"] = MINI_BOOK["knowledge/events/evt-a.md"].replace(
    "significance_level: critical", "significance_level: critical\n        event_type: model_release")
READER_BOOK["knowledge/events/evt-b.md"] = MINI_BOOK["knowledge/events/evt-b.md"].replace(
    "title: 事件乙",
    "title: 事件乙\n        verification_status: partially_verified\n        significance_level: minor")
# An English page that embeds a card with no English translation.
READER_BOOK["manuscript/index.en.md"] = MINI_BOOK["manuscript/index.en.md"] + "\n        ![[evt-b]]\n"
for name, zh, en in (("attention", "注意力机制", "attention"), ("zero-shot", "零样本学习", "Zero-shot learning"),
                     ("staged", "分阶段发布", "staged release"), ("alpha", "阿尔法", "Alpha")):
    READER_BOOK[f"knowledge/concepts/{name}.md"] = f"""
        ---
        concept_id: {name}
        title: {zh}
        title_en: {en}
        ---
        # {zh}

        概念。
        """
BROKEN_PAGE = """
    ---
    title: 坏链接
    ---
    # 坏链接

    见 [[no-such-id]] 和 [丢失的文件](missing.md)，引用 [@nokey]。

    | 表 | 格 |
    |---|---|
    | [[evt-x]] | 好 |

    ![[nothing-here]]

    [![图](missing.png)](../01-intro/intro.md)
    """


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Result:
    result = build(write_book(tmp_path_factory.mktemp("reader") / "book", READER_BOOK))
    assert result.returncode == 0, result.output
    return result


def test_card_page_shows_enum_values_in_the_reader_language(site):
    zh = article(site.page("knowledge/events/evt-a"))
    assert "<dt>类型</dt><dd>模型发布</dd>" in zh
    assert "<dt>核实状态</dt><dd>已核实</dd>" in zh
    assert re.search(r"<dt>重要性</dt><dd><span [^>]*>关键</span></dd>", zh)
    en = article(site.page("en/knowledge/events/evt-a"))
    assert "<dt>Type</dt><dd>model release</dd>" in en
    assert "<dt>Verification</dt><dd>verified</dd>" in en
    assert re.search(r"<dt>Significance</dt><dd><span [^>]*>Critical</span></dd>", en)
    # A card shown in place of its translation: its values are the reader's all the same.
    fallback = article(site.page("en/knowledge/events/evt-b"))
    assert "<dt>Verification</dt><dd>partially verified</dd>" in fallback and ">Minor</span>" in fallback
    assert "partially_verified" not in fallback


def test_embed_shows_enum_values_in_the_reader_language(site):
    for url, kind, sig in (("01-intro/intro", "模型发布", "关键"), ("en/01-intro/intro", "model release", "Critical")):
        box = re.search(r'<p class="chronicle-card__meta">(.*?)</p>', article(site.page(url))).group(1)
        assert f'<span class="chronicle-card__type">{kind}</span>' in box
        assert f">{sig}</span>" in box


def test_a_value_of_the_book_own_is_shown_as_written():
    assert value("zh", "event_type", "standard_release") == "standard_release"
    assert value("zh", "significance_level", "earth-shaking") == "earth-shaking"
    assert value("fr", "verification_status", "single_source") == "single source"  # English for others
    assert value("zh", "verification_status", "disputed") == "有争议"


def test_chinese_concept_index_is_in_pinyin_order_english_in_alphabetical(site):
    zh = re.findall(r"<h2 id=\"[^\"]*\">([^<]*)</h2>", article(site.page("concepts")))
    assert zh == ["阿尔法", "分阶段发布", "概念 X", "零样本学习", "注意力机制"]
    en = re.findall(r"<h2 id=\"[^\"]*\">([^<]*)</h2>", article(site.page("en/concepts")))
    assert en == ["Alpha", "attention", "Concept X", "staged release", "Zero-shot learning"]


@pytest.mark.parametrize("names,expected", [
    (["注意力", "阿", "零", "分"], ["阿", "分", "零", "注意力"]),
    (["重要", "中文"], ["中文", "重要"]),  # zhong1 before zhong4: by tone
    (["GPT-2 发布", "发布", "零"], ["发布", "GPT-2 发布", "零"]),  # Latin letters among the syllables
])
def test_pinyin_sort_key(names, expected):
    assert sorted(names, key=sort_key("zh")) == expected


def test_fallback_page_speaks_the_reader_language_and_marks_the_original(site):
    html = site.page("en/knowledge/events/evt-b")
    assert '<html lang="en"' in html
    page = article(html)
    notice = re.search(r'<div class="admonition info chronicle-fallback".*?</div>', page, re.S).group(0)
    assert "you are reading the Chinese original" in notice and "中文" not in notice
    # The original's title (no English one) and body are declared Chinese; the notice is not.
    assert re.search(r'<h1 id="[^"]*" lang="zh">事件乙</h1>', page)
    assert re.search(r'<div lang="zh">\s*<p>只有中文。</p>\s*</div>', page)
    assert page.index("chronicle-fallback") < page.index('<div lang="zh">')
    # A card with an English title keeps it, undeclared: it is in the page's language.
    concept = article(site.page("en/knowledge/concepts/concept-x"))
    assert re.search(r'<h1 id="concept-x">Concept X</h1>', concept)
    assert re.search(r'<div lang="zh">\s*<p>一个概念。</p>\s*</div>', concept)
    # Translated pages are left alone.
    assert ' lang="zh"' not in article(site.page("en/knowledge/events/evt-a"))
    assert ' lang="zh"' not in article(site.page("01-intro/intro"))


def test_fallback_links_and_embeds_name_the_language_in_the_reader_language(site):
    page = article(site.page("en/01-intro/intro"))
    assert 'data-chronicle-lang="Chinese only"' in page and "中文" not in page
    home = article(site.page("en/"))
    box = home[home.index('<div class="chronicle-card'): home.index("chronicle-card__more")]
    assert re.search(r'<div lang="zh">\s*<p>只有中文。</p>\s*</div>', box)


def test_broken_references_are_marked_on_the_page_unless_strict(tmp_path):
    files = dict(MINI_BOOK)
    files["manuscript/02-broken/broken.md"] = BROKEN_PAGE
    root = write_book(tmp_path / "book", files)
    assert build(root, strict=True).returncode == 1
    result = build(root, strict=False)
    assert result.returncode == 0, result.output
    for url, title, hint in (("02-broken/broken", "本页的问题", "提示："),
                             ("en/02-broken/broken", "Problems on this page", "Hint: ")):
        page = article(result.page(url))
        marks = re.findall(r'<a class="chronicle-problem chronicle-problem--error" href="#(chronicle-problems-\d)"'
                           r'[^>]*>⚠ ([^<]*)</a>', page)
        assert [m[1] for m in marks] == [
            "&#39;[[no-such-id]]&#39; names no card or page",
            "link &#39;missing.md&#39;: manuscript/02-broken/missing.md does not exist",
            "citation key &#39;nokey&#39; is not in knowledge/references.bib",
            "&#39;[[evt-x]]&#39; names no card or page",
            "&#39;![[nothing-here]]&#39; names no card or page",
            "image &#39;missing.png&#39;: manuscript/02-broken/missing.png does not exist",
        ]
        # Each where it was written: after the reference, in its paragraph or cell.
        assert "[[no-such-id]]<a class=\"chronicle-problem" in page
        assert re.search(r"<td>\[\[evt-x\]\]<a class=\"chronicle-problem[^>]*>[^<]*</a></td>", page)
        # A mark is no link inside a link: it follows the link whose text has the reference.
        assert re.search(r'<img alt="图" src="missing.png" /></a><a class="chronicle-problem', page)
        # Each leads to its entry in the page's list: place, code, message and hint.
        panel = re.search(r'<div class="admonition failure chronicle-problems" id="chronicle-problems">.*?</div>',
                          page, re.S).group(0)
        assert title in panel
        for anchor, _text in marks:
            assert f'<li id="{anchor}">' in panel
        assert ("<code>manuscript/02-broken/broken.md:10:3</code> <strong>error unknown-id</strong>: &#39;[[evt-x]]"
                "&#39; names no card or page. <em>" + hint + "did you mean &#39;evt-b&#39;?</em>") in panel
    # A page without problems has neither marks nor list.
    assert "chronicle-problem" not in result.page("01-intro/intro")


def test_no_alternate_link_asks_for_a_sitemap_that_is_not_there(site):
    """Material's script asks for sitemap.xml beside every <link rel="alternate">: none in <head>,
    the language switcher's links kept."""
    for url in ("", "01-intro/intro", "en/", "en/knowledge/events/evt-b"):
        html = site.page(url)
        assert 'rel="alternate"' not in head(html)
        assert re.search(r'<a href="[^"]*" hreflang="en" class="md-select__link">', html)
