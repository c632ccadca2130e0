"""Interface strings of everything Chronicle renders, per language (English as the fallback)."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "references": "References",
        "read_card": "Read the full card",
        "untranslated_title": "Not yet translated",
        "untranslated_body": "This page has no English translation yet; you are reading the {language} original.",
        "untranslated_link": "{language} only",
        "critical": "Critical",
        "major": "Major",
        "notable": "Notable",
        "minor": "Minor",
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
    },
    "zh": {
        "references": "参考文献",
        "read_card": "阅读完整卡片",
        "untranslated_title": "尚未翻译",
        "untranslated_body": "本页还没有中文译文，以下是{language}原文。",
        "untranslated_link": "仅{language}",
        "critical": "关键",
        "major": "重大",
        "notable": "值得注意",
        "minor": "次要",
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
