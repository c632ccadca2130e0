"""Search in the reader's language: one index per language, the book's own words for jieba."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from chronicle import search
from conftest import build, copy_sample_book

HAN = re.compile(r"[\u3400-\u9fff]")
ZW = "\u200b"


@pytest.mark.parametrize("concepts,events,expected", [
    (["分阶段发布"], [], ["分阶段发布"]),
    (["Transformer 架构", "WebText 数据集"], [], ["数据集", "架构"]),
    (["合成文本检测（detection）"], [], ["合成文本检测"]),
    (["Staged release", "零"], [], []),  # no Han, or a run of one character
    ([], ["达特茅斯会议"], ["达特茅斯会议"]),  # an event title that is one word: a name
    ([], ["GPT-2 发布，完整模型暂不公开", "发布与六个月回顾之后的一年又一年再一年"], []),  # sentences
])
def test_dictionary_terms(concepts, events, expected):
    assert search.dictionary_terms(concepts, events) == expected


def test_user_dictionary_keeps_the_authors_words_first():
    assert search.user_dictionary(["分阶段发布"], "自监督 10 n\n") == "自监督 10 n\n分阶段发布\n"
    assert search.user_dictionary(["分阶段发布", "零样本学习"]) == "分阶段发布\n零样本学习\n"


def test_term_parts_come_from_jiebas_own_dictionary():
    parts = search.term_parts(["分阶段发布", "零样本学习"])
    assert parts["分阶段发布"] == ["分阶段", "发布"]
    assert "".join(parts["零样本学习"]) == "零样本学习" and len(parts["零样本学习"]) > 1


INDEX = {
    "config": {"lang": ["zh", "en"], "fields": {"title": {"boost": 1000.0}, "text": {"boost": 1.0}}},
    "docs": [
        {"location": "", "title": "首页", "text": "<p>见" + ZW + "分阶段发布</p>"},
        {"location": "c/", "title": "分阶段发布", "text": "x", "tags": ["staged-release"]},
        {"location": "c/#more", "title": "更多", "text": "y", "tags": ["staged-release"]},
        {"location": "en/", "title": "Home", "text": "<p>See staged release</p>"},
        {"location": "en/c/", "title": "Staged release", "text": "x", "tags": ["staged-release"]},
        {"location": "en/c/#more", "title": "More", "text": "y", "tags": ["staged-release"]},
        {"location": "en/u/", "title": "Untranslated", "text": "<p>中文</p>", "tags": ["t"]},
        {"location": "en/u/#part", "title": "部分", "text": "<p>中文</p>"},
    ],
}


def test_split_index_one_per_language_relative_to_its_folder():
    out = search.split_index(INDEX, "zh", ["en"], {"en/u/"})
    assert [d["location"] for d in out["zh"]["docs"]] == ["", "c/", "c/#more"]
    assert [d["location"] for d in out["en"]["docs"]] == ["", "c/", "c/#more", "u/"]
    en = {d["location"]: d for d in out["en"]["docs"]}
    assert en["u/"] == {"location": "u/", "title": "Untranslated", "text": "", "tags": ["t"]}  # a fallback
    assert "tags" in en["c/"] and "tags" not in en["c/#more"]  # tags once, on the page's own entry
    assert out["en"]["config"] == out["zh"]["config"] == INDEX["config"]
    assert INDEX["docs"][2]["tags"] == ["staged-release"]  # the input is left alone


def test_split_index_adds_the_parts_of_the_books_words():
    out = search.split_index(INDEX, "zh", ["en"], set(), {"分阶段发布": ["分阶段", "发布"]})
    zh = {d["location"]: d for d in out["zh"]["docs"]}
    assert zh[""]["text_parts"] == "分阶段 发布" and "title_parts" not in zh[""]
    assert zh["c/"]["title_parts"] == "分阶段 发布"
    fields = out["zh"]["config"]["fields"]
    assert fields["title_parts"] == {"boost": 1000.0} and fields["text_parts"] == {"boost": 1.0}


def test_split_index_without_other_languages_keeps_every_entry():
    out = search.split_index(INDEX, "zh", [], set())
    assert list(out) == ["zh"] and len(out["zh"]["docs"]) == len(INDEX["docs"])


@pytest.mark.parametrize("base,expected", [(".", "./en/"), ("..", "../en/"), ("../../..", "../../../en/")])
def test_localize_base_points_materials_config_at_the_language_folder(base, expected):
    page = ('<p>"base": "x"</p><script id="__config" type="application/json">'
            f'{{"annotate": null, "base": "{base}", "t": "<b> & \'"}}</script>')
    out = search.localize_base(page, "en")
    config = json.loads(re.search(r'application/json">(.*?)</script>', out).group(1))
    assert config["base"] == expected and config["t"] == "<b> & '"
    assert out.startswith('<p>"base": "x"</p>') and "<b>" not in out.split("application/json")[1]


def test_configure_keeps_the_authors_weights_and_dictionary(tmp_path):
    from types import SimpleNamespace

    Search = SimpleNamespace(config={"jieba_dict_user": "mine.txt", "fields": {"tags": {"boost": 5}}})

    (tmp_path / "mine.txt").write_text("自监督\n", encoding="utf-8")
    staged = tmp_path / "staged"
    staged.mkdir()
    search.configure(Search, tmp_path, staged, ["分阶段发布"])
    assert Search.config["fields"]["tags"] == {"boost": 5}
    assert Path(Search.config["jieba_dict_user"]).read_text(encoding="utf-8") == "自监督\n分阶段发布\n"


# -- the sample book, built -------------------------------------------------------------


_LOG: dict[str, str] = {}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("search") / "book"
    copy_sample_book(root)
    result = build(root, strict=True)
    assert result.returncode == 0, result.output
    _LOG["sample"] = result.output
    return root, result.site


def test_jieba_says_nothing_while_the_book_is_built(sample):
    # jieba logs its dictionary loading to stderr with a handler of its own, at DEBUG level.
    assert sample and "prefix dict" not in _LOG["sample"] and "jieba" not in _LOG["sample"]


def _index(site: Path, lang: str) -> list[dict]:
    path = site / ("" if lang == "zh" else lang) / "search" / "search_index.json"
    return json.loads(path.read_text(encoding="utf-8"))["docs"]


def test_each_language_has_its_own_index_of_its_own_pages(sample):
    _root, site = sample
    zh, en = _index(site, "zh"), _index(site, "en")
    assert zh and en
    for docs, folder in ((zh, site), (en, site / "en")):
        for doc in docs:
            page = doc["location"].split("#")[0]
            assert not page.startswith("en/"), page
            assert (folder / page / "index.html").is_file(), page
    # English pages only: every Chinese word is gone (an untranslated page keeps its English title).
    assert not [d["location"] for d in en if HAN.search(d["title"] + d["text"])]
    assert {"knowledge/concepts/staged-release/", "knowledge/events/gpt2-leak-claim-2020/"} \
        <= {d["location"] for d in en}
    assert not [d for d in zh if not HAN.search(d["title"] + d["text"]) and d["location"]]
    # Tags once per page, not on every section.
    assert not [d["location"] for d in zh + en if "#" in d["location"] and "tags" in d]


def test_the_books_words_are_single_words_and_findable_by_their_parts(sample):
    root, site = sample
    words = (root / ".site-src" / search.USER_DICT).read_text(encoding="utf-8").split()
    assert {"分阶段发布", "零样本学习", "合成文本检测"} <= set(words)
    zh = {d["location"]: d for d in _index(site, "zh")}
    concept = zh["knowledge/concepts/staged-release/"]
    assert concept["title"] == "分阶段发布"  # one word: no zero-width space inside
    assert concept["title_parts"] == "分阶段 发布"
    assert f"{ZW}零样本学习{ZW}" in zh["knowledge/concepts/zero-shot-learning/"]["text"]


def test_english_pages_load_the_english_index(sample):
    _root, site = sample
    config = re.compile(r'<script id="__config" type="application/json">(.*?)</script>', re.S)

    def base(path: str) -> str:
        return json.loads(config.search((site / path).read_text(encoding="utf-8")).group(1))["base"]

    assert base("index.html") == "."
    assert base("knowledge/concepts/staged-release/index.html") == "../../.."
    assert base("en/index.html") == "../en/"
    assert base("en/knowledge/concepts/staged-release/index.html") == "../../../../en/"


def test_materials_query_segmenter_is_mended_once(tmp_path):
    import material
    from chronicle.search import WORKERS, fix_segmenter

    source = next((Path(material.__file__).parent / "templates" / WORKERS).glob("search.*.min.js"))
    site = tmp_path / "site"
    (site / WORKERS).mkdir(parents=True)
    worker = site / WORKERS / source.name
    worker.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    before = worker.read_text(encoding="utf-8")
    assert fix_segmenter(site) == 1
    after = worker.read_text(encoding="utf-8")
    # Every slice of the query, the last character's too; a last character left alone is kept.
    assert re.search(r"for\(let (\w+)=\w+\+1;\1<=\w+\.length;", after)
    assert len(after) - len(before) == 1 - 2  # one '<=' for '<', '.length-1' now '.length'
    assert fix_segmenter(site) == 0 and worker.read_text(encoding="utf-8") == after
    other = site / WORKERS / "search.other.min.js"
    other.write_text("for(let o=s+1;o<t.size;o++){}", encoding="utf-8")
    worker.unlink()
    assert fix_segmenter(site) == 0 and other.read_text(encoding="utf-8") == "for(let o=s+1;o<t.size;o++){}"
    assert fix_segmenter(tmp_path / "no-site") == 0
