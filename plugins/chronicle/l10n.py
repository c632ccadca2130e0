"""Interface strings of everything Chronicle renders, per language (English as the fallback)."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "references": "References",
        "read_card": "Read the full card",
        "untranslated_title": "Not yet translated",
        "untranslated_body": "This page has no English translation yet; you are reading the {language} original.",
        "untranslated_link": "{language} only",
        "event": "Event",
        "concept": "Concept",
        "introduced": "Introduced",
        "backlinks": "Referenced by",
        "no_backlinks": "Nothing links here yet.",
        "neighbourhood": "Causes and effects",
        "timeline": "Timeline",
        "concepts": "Concept index",
        "graph": "Causal graph",
        "status": "Translation status",
        "nav_chapters": "Chapters",
        "nav_knowledge": "Knowledge base",
        "nav_events": "Events",
        "nav_concepts": "Concepts",
        "enables": "enables",
        "influences": "influences",
        "sources": "Sources",
        "credibility": "credibility",
        "used_by_events": "Events",
        "used_by_chapters": "Chapters",
        "other_name": "Chinese",
        "timeline_intro": "Every event of the book by date; select a year to jump to it.",
        "concepts_intro": "Every concept of the book, with the events and chapters that use it.",
        "graph_intro": "How the events led to one another. Click an event to open its card.",
        "status_intro": "Every page and card with the state of its translation.",
        "page": "Page",
        "translated": "translated",
        "missing": "missing",
        "stale": "stale",
        "year_only": "(year only)",
        "verification": "Verification",
        "organization": "Organization",
        "date": "Date",
        "tags": "Tags",
        "yes": "yes",
        "no": "no",
        "significance": "Significance",
        "event_type": "Type",
        "problems_title": "Problems on this page",
        "problems_body": "Shown because the build is not strict: 'mkdocs build --strict' fails on them instead.",
        "problem_hint": "Hint: ",
        "scroll_hint": "Scroll →",
        "permalink": "Permanent link",
    },
    "zh": {
        "references": "参考文献",
        "read_card": "阅读完整卡片",
        "untranslated_title": "尚未翻译",
        "untranslated_body": "本页还没有中文译文，以下是{language}原文。",
        "untranslated_link": "仅{language}",
        "event": "事件",
        "concept": "概念",
        "introduced": "提出于",
        "backlinks": "引用本卡片的页面",
        "no_backlinks": "还没有页面链接到这里。",
        "neighbourhood": "前因后果",
        "timeline": "时间线",
        "concepts": "概念索引",
        "graph": "因果图",
        "status": "翻译状态",
        "nav_chapters": "章节",
        "nav_knowledge": "知识库",
        "nav_events": "事件",
        "nav_concepts": "概念",
        "enables": "促成",
        "influences": "影响",
        "sources": "来源",
        "credibility": "可信度",
        "used_by_events": "相关事件",
        "used_by_chapters": "相关章节",
        "other_name": "英文",
        "timeline_intro": "按日期排列本书的全部事件；点击年份即可跳转。",
        "concepts_intro": "本书的全部概念，以及用到它们的事件和章节。",
        "graph_intro": "事件之间如何相互促成。点击事件即可打开它的卡片。",
        "status_intro": "每个页面和卡片的翻译状态。",
        "page": "页面",
        "translated": "已翻译",
        "missing": "缺失",
        "stale": "过期",
        "year_only": "（仅年份）",
        "verification": "核实状态",
        "organization": "机构",
        "date": "日期",
        "tags": "标签",
        "yes": "是",
        "no": "否",
        "significance": "重要性",
        "event_type": "类型",
        "problems_title": "本页的问题",
        "problems_body": "构建不是严格模式，所以在这里标出；严格模式（mkdocs build --strict）会因它们而失败。",
        "problem_hint": "提示：",
        "scroll_hint": "左右滑动 →",
        "permalink": "永久链接",
    },
}


# Names of languages in each reader's language: a notice to an English reader says "Chinese",
# not the name the language gives itself (the switcher's "中文"), which that reader may not read.
LANGUAGE_NAMES: dict[str, dict[str, str]] = {
    "en": {"zh": "Chinese", "en": "English", "ja": "Japanese", "ko": "Korean", "fr": "French",
           "de": "German", "es": "Spanish"},
    "zh": {"zh": "中文", "en": "英文", "ja": "日文", "ko": "韩文", "fr": "法文", "de": "德文", "es": "西班牙文"},
}

# The built-in values of the cards' enum fields (design.md), per reader's language. A book may
# add values of its own (schema.enums): those are shown as written.
VALUES: dict[str, dict[str, dict[str, str]]] = {
    "event_type": {
        "paper_publication": {"en": "paper", "zh": "论文发表"},
        "model_release": {"en": "model release", "zh": "模型发布"},
        "product_launch": {"en": "product launch", "zh": "产品发布"},
        "company_announcement": {"en": "company announcement", "zh": "公司公告"},
        "technical_breakthrough": {"en": "technical breakthrough", "zh": "技术突破"},
        "research_publication": {"en": "research publication", "zh": "研究发表"},
        "policy": {"en": "policy", "zh": "政策"},
    },
    "significance_level": {
        "critical": {"en": "Critical", "zh": "关键"},
        "major": {"en": "Major", "zh": "重大"},
        "notable": {"en": "Notable", "zh": "值得注意"},
        "minor": {"en": "Minor", "zh": "次要"},
    },
    "verification_status": {
        "verified": {"en": "verified", "zh": "已核实"},
        "partially_verified": {"en": "partially verified", "zh": "部分核实"},
        "single_source": {"en": "single source", "zh": "单一来源"},
        "reported": {"en": "reported", "zh": "有报道"},
        "disputed": {"en": "disputed", "zh": "有争议"},
        "unverified": {"en": "unverified", "zh": "未核实"},
    },
}


def t(lang: str, key: str, **kwargs: str) -> str:
    table = STRINGS.get(lang, STRINGS["en"])
    text = table.get(key) or STRINGS["en"][key]
    return text.format(**kwargs) if kwargs else text


def label(lang: str, key: str) -> str:
    """A built-in name in LANG, or a name the book declared (a field, a relation, an enum value)
    as written, its underscores as spaces."""
    table = STRINGS.get(lang, STRINGS["en"])
    return table.get(key) or STRINGS["en"].get(key) or key.replace("_", " ")


def value(lang: str, field: str, written: str) -> str:
    """The value WRITTEN of an enum FIELD as LANG's readers read it; a value of the book's own
    (or a language with no table) as written."""
    written = str(written)
    labels = VALUES.get(field, {}).get(written)
    if labels is None:
        return written
    return labels.get(lang) or labels["en"]


def language_name(reader: str, lang: str, default: str) -> str:
    """What READER's language calls LANG; DEFAULT (the name the site's config gives) if unknown."""
    return LANGUAGE_NAMES.get(reader, {}).get(lang) or default


_TOC_TITLE = "Permanent link"  # Python-Markdown's toc: its permalink_title unless set


def localize_permalinks(page_html: str, lang: str, toc: Mapping[str, Any]) -> str:
    """PAGE_HTML with the title of toc's heading permalinks in LANG. toc writes one title, in
    English unless the book sets permalink_title, on every page of every language: a Chinese
    reader's tooltip and screen reader said "Permanent link". A title the book set is kept."""
    title = t(lang, "permalink")
    if not toc.get("permalink") or "permalink_title" in toc or title == _TOC_TITLE:
        return page_html
    css = str(toc.get("permalink_class", "headerlink"))
    anchor = re.compile(rf'(<a class="{re.escape(html.escape(css))}" href="#[^"]*" )title="{_TOC_TITLE}"')
    shown = f'title="{html.escape(title)}"'
    return anchor.sub(lambda m: m.group(1) + shown, page_html)
