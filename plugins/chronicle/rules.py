"""The book's own rules (`rules:` in mkdocs.yml): length per page and language, required
sections, preferred terms, phrases to avoid and the citation form.

What authors of a book otherwise keep as a folder of validator scripts, declared instead, and
run by `chronicle check` and the build like every other check (checks.check_rules is the hook).
Pure: a page's text in, problems out. Every text rule reads the prose only (front matter, code
blocks, inline code, comments, URLs and the book's own reference syntax are blanked first, with
offsets kept), so a match is reported at the line it is on.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import scanner
from .globs import glob_re
from .problems import Problem

SEVERITIES = ("error", "warning", "info")
KINDS = ("length", "sections", "terms", "avoid", "citations")
DEFAULT_SEVERITY = "warning"

# Unified ideographs, extension A, compatibility ideographs and the supplementary planes
# (extensions B and on): what "Chinese characters" counts. Punctuation is not counted.
_HAN = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"


@functools.cache
def _han() -> re.Pattern[str]:
    # Compiled when first asked for (3 ms): only a book with rules counts characters.
    return re.compile(_HAN)


_WORD = re.compile(r"[A-Za-z0-9\u00c0-\u024f]+(?:['’-][A-Za-z0-9\u00c0-\u024f]+)*")


class RulesError(ValueError):
    """The `rules:` option cannot be used; the message starts with the option's path
    (`rules.length[0].zh.min: ...`)."""


@dataclass(frozen=True)
class Scope:
    """Which pages a rule applies to: globs over the page's path in the site (a chapter's
    relative to docs_dir, a card's under its folder's name), matched against the
    default-language file, so `x.md` covers `x.en.md` too."""

    globs: tuple[str, ...] = ("**",)
    exclude: tuple[str, ...] = ()

    def covers(self, site_path: str) -> bool:
        return any(glob_re(g).match(site_path) for g in self.globs) and \
            not any(glob_re(g).match(site_path) for g in self.exclude)


@dataclass(frozen=True)
class LengthRule:
    where: str
    severity: str
    scope: Scope
    limits: tuple[tuple[str, int | None, int | None], ...]  # (language, min, max)


@dataclass(frozen=True)
class SectionsRule:
    where: str
    severity: str
    scope: Scope
    headings: tuple[tuple[tuple[str, str], ...], ...]  # per heading: (language or '*', text)


@dataclass(frozen=True)
class TermsRule:
    where: str
    severity: str
    scope: Scope
    terms: tuple[tuple[str, str, tuple[str, ...]], ...]  # (language, preferred, variants)


@dataclass(frozen=True)
class AvoidRule:
    where: str
    severity: str
    scope: Scope
    phrases: tuple[str, ...]
    hint: str
    languages: tuple[str, ...]  # () for every language


@dataclass(frozen=True)
class CitationsRule:
    where: str
    severity: str
    scope: Scope


@dataclass(frozen=True)
class Rules:
    """Every rule the book declares, by kind (empty: the book declares none)."""

    length: tuple[LengthRule, ...] = ()
    sections: tuple[SectionsRule, ...] = ()
    terms: tuple[TermsRule, ...] = ()
    avoid: tuple[AvoidRule, ...] = ()
    citations: tuple[CitationsRule, ...] = ()

    def __bool__(self) -> bool:
        return any((self.length, self.sections, self.terms, self.avoid, self.citations))

    def key(self) -> str:
        """What stands for the rules in the checks' cache key: a changed rule is a new key."""
        return repr(self)


NO_RULES = Rules()


# -- reading the option ------------------------------------------------------------------


def parse(raw: Any, languages: Sequence[str] | None = None) -> Rules:
    """The rules of the `rules:` option as written. LANGUAGES, when known, are the book's: a
    rule for another language is refused. Raises RulesError naming the option's path."""
    if raw is None or raw == {}:
        return NO_RULES
    if not isinstance(raw, Mapping):
        raise RulesError(f"rules: expected a mapping of rule kinds ({', '.join(KINDS)}), got {raw!r:.60}")
    for kind in raw:
        if kind not in KINDS:
            raise RulesError(f"rules.{kind}: unknown rule kind (use {', '.join(KINDS)})")
    langs = tuple(languages) if languages else None
    out: dict[str, list[Any]] = {kind: [] for kind in KINDS}
    for kind in KINDS:
        value = raw.get(kind)
        if value is None or value is False:
            continue
        if kind == "citations" and value is True:
            value = {}
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            where = f"rules.{kind}[{i}]" if isinstance(value, list) else f"rules.{kind}"
            if not isinstance(item, Mapping):
                raise RulesError(f"{where}: expected a mapping, got {item!r:.60}")
            out[kind].append(_PARSERS[kind](where, item, langs))
    return Rules(**{kind: tuple(rules) for kind, rules in out.items()})


_COMMON = ("glob", "exclude", "severity")


def _keys(where: str, item: Mapping[str, Any], allowed: Iterable[str], langs: tuple[str, ...] | None,
          by_language: bool = False) -> None:
    allowed = (*_COMMON, *allowed)
    for key in item:
        if key in allowed:
            continue
        if by_language and isinstance(key, str) and (langs is None or key in langs):
            continue
        if by_language and langs is not None and isinstance(key, str) and re.fullmatch(r"[a-z]{2,3}(?:-\w+)?", key):
            raise RulesError(f"{where}.{key}: '{key}' is not a language of the book ({', '.join(langs)})")
        expected = ", ".join((*allowed, *(["a language code"] if by_language else [])))
        raise RulesError(f"{where}.{key}: unknown key (use {expected})")


def _severity(where: str, item: Mapping[str, Any]) -> str:
    value = item.get("severity", DEFAULT_SEVERITY)
    if value not in SEVERITIES:
        raise RulesError(f"{where}.severity: {value!r} is not one of {', '.join(SEVERITIES)}")
    return str(value)


def _strings(where: str, value: Any, what: str = "a string or a list of strings") -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(v, str) and v.strip() for v in items):
        raise RulesError(f"{where}: expected {what}, got {value!r:.60}")
    return tuple(v.strip() for v in items)


def _scope(where: str, item: Mapping[str, Any]) -> Scope:
    globs = _strings(f"{where}.glob", item["glob"], "a glob or a list of globs") if "glob" in item else ("**",)
    exclude = _strings(f"{where}.exclude", item["exclude"], "a glob or a list of globs") if "exclude" in item else ()
    for name, patterns in (("glob", globs), ("exclude", exclude)):
        for g in patterns:
            if g.startswith("/") or g.startswith("../") or "/../" in g:
                raise RulesError(f"{where}.{name}: '{g}' must be relative to docs_dir, without '..'")
    return Scope(globs, exclude)


def _languages_of(item: Mapping[str, Any]) -> list[str]:
    return [k for k in item if isinstance(k, str) and k not in _COMMON and k not in ("headings", "hint")]


def _count(where: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RulesError(f"{where}: expected a whole number of 0 or more, got {value!r:.60}")
    return value


def _length(where: str, item: Mapping[str, Any], langs: tuple[str, ...] | None) -> LengthRule:
    _keys(where, item, (), langs, by_language=True)
    limits = []
    for lang in _languages_of(item):
        spec = item[lang]
        at = f"{where}.{lang}"
        if not isinstance(spec, Mapping) or not spec or set(spec) - {"min", "max"}:
            raise RulesError(f"{at}: expected {{min: N, max: N}} (either or both), got {spec!r:.60}")
        low, high = _count(f"{at}.min", spec.get("min")), _count(f"{at}.max", spec.get("max"))
        if low is not None and high is not None and low > high:
            raise RulesError(f"{at}: min ({low}) is more than max ({high})")
        limits.append((lang, low, high))
    if not limits:
        raise RulesError(f"{where}: name a language with its limits, e.g. zh: {{min: 800, max: 6000}}")
    return LengthRule(where, _severity(where, item), _scope(where, item), tuple(limits))


def _sections(where: str, item: Mapping[str, Any], langs: tuple[str, ...] | None) -> SectionsRule:
    _keys(where, item, ("headings",), langs)
    if "headings" not in item:
        raise RulesError(f"{where}: 'headings' is missing: the headings every page of the glob must have")
    raw = item["headings"]
    if not isinstance(raw, list) or not raw:
        raise RulesError(f"{where}.headings: expected a list of headings, got {raw!r:.60}")
    headings = []
    for i, h in enumerate(raw):
        at = f"{where}.headings[{i}]"
        if isinstance(h, str) and h.strip():
            headings.append((("*", h.strip()),))
        elif isinstance(h, Mapping) and h:
            for lang, text in h.items():
                if langs is not None and lang not in langs:
                    raise RulesError(f"{at}.{lang}: '{lang}' is not a language of the book ({', '.join(langs)})")
                if not isinstance(text, str) or not text.strip():
                    raise RulesError(f"{at}.{lang}: expected the heading's text, got {text!r:.60}")
            headings.append(tuple((str(lang), str(text).strip()) for lang, text in h.items()))
        else:
            raise RulesError(f"{at}: expected a heading, or one per language ({{zh: 概述, en: Overview}}), "
                             f"got {h!r:.60}")
    return SectionsRule(where, _severity(where, item), _scope(where, item), tuple(headings))


def _terms(where: str, item: Mapping[str, Any], langs: tuple[str, ...] | None) -> TermsRule:
    _keys(where, item, (), langs, by_language=True)
    terms = []
    for lang in _languages_of(item):
        table = item[lang]
        at = f"{where}.{lang}"
        if not isinstance(table, Mapping) or not table:
            raise RulesError(f"{at}: expected preferred terms with their variants, e.g. "
                             f"{{分阶段发布: [分步发布]}}, got {table!r:.60}")
        for preferred, variants in table.items():
            if not isinstance(preferred, str) or not preferred.strip():
                raise RulesError(f"{at}: a preferred term must be text, got {preferred!r:.60}")
            found = _strings(f"{at}.{preferred}", variants, "a variant or a list of variants")
            terms.append((lang, preferred.strip(), found))
    if not terms:
        raise RulesError(f"{where}: name a language with its terms, e.g. zh: {{分阶段发布: [分步发布]}}")
    return TermsRule(where, _severity(where, item), _scope(where, item), tuple(terms))


def _avoid(where: str, item: Mapping[str, Any], langs: tuple[str, ...] | None) -> AvoidRule:
    _keys(where, item, ("phrases", "hint", "lang"), langs)
    if "phrases" not in item:
        raise RulesError(f"{where}: 'phrases' is missing: the phrase, or the list of phrases, to avoid")
    phrases = _strings(f"{where}.phrases", item["phrases"], "a phrase or a list of phrases")
    hint = item.get("hint", "")
    if not isinstance(hint, str):
        raise RulesError(f"{where}.hint: expected text, got {hint!r:.60}")
    languages = _strings(f"{where}.lang", item["lang"], "a language or a list of them") if "lang" in item else ()
    for lang in languages:
        if langs is not None and lang not in langs:
            raise RulesError(f"{where}.lang: '{lang}' is not a language of the book ({', '.join(langs)})")
    return AvoidRule(where, _severity(where, item), _scope(where, item), phrases, hint.strip(), languages)


def _citations(where: str, item: Mapping[str, Any], langs: tuple[str, ...] | None) -> CitationsRule:
    _keys(where, item, (), langs)
    return CitationsRule(where, _severity(where, item), _scope(where, item))


_PARSERS = {"length": _length, "sections": _sections, "terms": _terms, "avoid": _avoid, "citations": _citations}


# -- running them ------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One file as the rules see it."""

    path: str  # as problems name it (relative to the project root)
    site_path: str  # of its default-language file, what the globs match
    lang: str
    text: str
    body: int  # where the body starts: after the front matter


@dataclass
class _Prose:
    """The page with everything but prose blanked (offsets kept), made once per page."""

    page: Page
    text: str = ""
    code_blanked: str = ""  # the page with only code and comments blanked: where headings are found
    _headings: list[tuple[int, str]] | None = field(default=None, repr=False)

    def headings(self) -> list[tuple[int, str]]:
        if self._headings is None:
            scan = scanner.Scan(self.page.text, self.code_blanked, [], {}, [], self.page.body)
            self._headings = [(h.start, scanner.heading_plain_text(h.text)) for h in scanner.headings(scan)]
        return self._headings


# The book's reference syntax and what is not prose: blanked before any text rule reads.
_NOT_PROSE = re.compile(
    r"!?\[\[[^\]\n]*\]\]"  # [[id]] and ![[id]]: they render as a card's title
    r"|\[@[^\]\n]*\]"  # [@key] citations: the proper form, never a plain-text one
    r"|\]\([^)\n]*\)"  # a link's or image's URL (its text stays)
    r"|^ {0,3}\[[^\]\n]+\]:[^\n]*"  # a reference definition
    r"|<[^>\n]+>"  # HTML tags and autolinks
    r"|\{[:#.][^}\n]*\}"  # attr_list
    r"|https?://\S+",
    re.M,
)


def _prose(page: Page) -> _Prose:
    text = page.text
    code = scanner.blank_code(text, page.body)
    clean = scanner.blank_spans(code, [(0, page.body), *(m.span() for m in _NOT_PROSE.finditer(code, page.body))])
    return _Prose(page, clean, code)


def check_page(rules: Rules, page: Page, authors: Sequence[tuple[str, tuple[str, ...], str]] = (),
               bibliography: str = "the bibliography") -> list[Problem]:
    """Every rule that covers PAGE, run on it. AUTHORS: the bibliography's entries as
    (key, surnames, year) (author_index), for the citation rule; BIBLIOGRAPHY names it."""
    prose: _Prose | None = None
    out: list[Problem] = []
    for kind in KINDS:
        for rule in getattr(rules, kind):
            if not rule.scope.covers(page.site_path):
                continue
            if prose is None:
                prose = _prose(page)
            if kind == "citations":
                out.extend(_check_citations(rule, prose, authors, bibliography))
            else:
                out.extend(_RUNNERS[kind](rule, prose))
    return out


def _problem(prose: _Prose, offset: int, rule: Any, code: str, message: str, target: str, hint: str) -> Problem:
    line, column = scanner.position(prose.page.text, offset)
    return Problem(prose.page.path, line, column, rule.severity, code, message, target, hint)  # type: ignore[arg-type]


def _body_start(prose: _Prose) -> int:
    """Where a problem of the whole page is reported: its first heading, or its body's start."""
    headings = prose.headings()
    return headings[0][0] if headings else prose.page.body


def counts_characters(lang: str) -> bool:
    """Chinese text is measured in characters, every other language in words."""
    return lang == "zh" or lang.startswith("zh-")


def measure(text: str, lang: str) -> int:
    """Chinese characters (Han only: no punctuation, Latin or digits) for zh, words otherwise."""
    return len(_han().findall(text)) if counts_characters(lang) else len(_WORD.findall(text))


def _check_length(rule: LengthRule, prose: _Prose) -> Iterator[Problem]:
    lang = prose.page.lang
    for limit_lang, low, high in rule.limits:
        if limit_lang != lang:
            continue
        n = measure(prose.text, lang)
        unit = "Chinese characters" if counts_characters(lang) else "words"
        if low is not None and n < low:
            yield _problem(prose, _body_start(prose), rule, "rule-length",
                           f"the page has {n} {unit}; {rule.where} asks for at least {low}", rule.where,
                           f"write {low - n} more, or change the rule's glob or min")
        elif high is not None and n > high:
            yield _problem(prose, _body_start(prose), rule, "rule-length",
                           f"the page has {n} {unit}; {rule.where} allows at most {high}", rule.where,
                           f"cut {n - high}, or split the page in two")


_BILINGUAL_HEADING = re.compile(r"^(.+?)\s*[(（]([^()（）]+)[)）]\s*$")


def _norm_heading(text: str) -> str:
    return " ".join(text.casefold().split()).rstrip(":：")


def _check_sections(rule: SectionsRule, prose: _Prose) -> Iterator[Problem]:
    lang = prose.page.lang
    have = set()
    for _, text in prose.headings():
        have.add(_norm_heading(text))
        both = _BILINGUAL_HEADING.match(text)
        if both:  # 背景 (Background), in a page that holds both languages: either half will do
            have.update((_norm_heading(both.group(1)), _norm_heading(both.group(2))))
    for heading in rule.headings:
        wanted = dict(heading)
        text = wanted.get(lang, wanted.get("*"))
        if text is None or _norm_heading(text) in have:
            continue
        yield _problem(prose, _body_start(prose), rule, "rule-section",
                       f"the page has no heading '{text}' ({rule.where})", text,
                       f"add a section '## {text}', or change the rule's glob")


@functools.lru_cache(maxsize=4096)  # a book's few phrases, met on every page
def _phrase(phrase: str) -> re.Pattern[str]:
    """PHRASE anywhere in prose, blanks in it matching any run of blanks (a line may break
    inside it); a Latin-script word only as a whole word, case-insensitive."""
    body = r"\s+".join(re.escape(part) for part in phrase.split())
    before = r"(?<![A-Za-z0-9_])" if re.match(r"[A-Za-z0-9_]", phrase) else ""
    after = r"(?![A-Za-z0-9_])" if re.search(r"[A-Za-z0-9_]$", phrase) else ""
    return re.compile(before + body + after, re.I)


def _check_terms(rule: TermsRule, prose: _Prose) -> Iterator[Problem]:
    lang = prose.page.lang
    for term_lang, preferred, variants in rule.terms:
        if term_lang != lang:
            continue
        # A variant inside the preferred term itself (发布 in 分阶段发布) is not a variant.
        good = [m.span() for m in _phrase(preferred).finditer(prose.text)]
        for variant in variants:
            for m in _phrase(variant).finditer(prose.text):
                if any(s <= m.start() and m.end() <= e for s, e in good):
                    continue
                yield _problem(prose, m.start(), rule, "rule-term",
                               f"'{m.group(0)}': this book writes '{preferred}' ({rule.where})", m.group(0),
                               f"use {preferred}, not {variant}")


def _check_avoid(rule: AvoidRule, prose: _Prose) -> Iterator[Problem]:
    if rule.languages and prose.page.lang not in rule.languages:
        return
    for phrase in rule.phrases:
        for m in _phrase(phrase).finditer(prose.text):
            yield _problem(prose, m.start(), rule, "rule-avoid",
                           f"'{m.group(0)}' is a phrase this book avoids ({rule.where})", m.group(0),
                           rule.hint or "rephrase it")


_RUNNERS = {"length": _check_length, "sections": _check_sections, "terms": _check_terms, "avoid": _check_avoid}


# A parenthesis of one or more "Author, Year" parts: (Radford et al., 2019), (Vaswani 2017;
# Radford, 2019a), （拉德福德等，2019）.
_PAREN = re.compile(r"[(（]([^()（）\n]{3,200})[)）]")
_PART = re.compile(r"^\s*(?:(?:see|cf\.|e\.g\.,?|参见|见)\s*)?(?P<author>[^\W\d_][^;；\d]*?)(?P<sep>[\s,，、]*)"
                    r"(?P<year>(?:1[5-9]|20)\d\d)[a-z]?(?:\s*[,，:：]\s*(?:p{1,2}\.|第)?\s*[\d–-]+\s*页?)?\s*$",
                    re.I)
# What comes before a year in a parenthesis that is a date, not a citation: (February 2019).
_NOT_AUTHORS = frozenset("""
jan january feb february mar march apr april may jun june jul july aug august sep sept september
oct october nov november dec december spring summer autumn fall winter early late mid in since
until from before after around about circa c ca by as of the and or up to through
""".split())
_ET_AL = re.compile(r"\s*(?:et\s+al\.?|等人|等|and\s+others)\s*$", re.I)
_SPLIT_AUTHORS = re.compile(r"\s*(?:\band\b|&|、|与|和|,|，)\s*")


def author_index(entries: Mapping[str, Any]) -> list[tuple[str, tuple[str, ...], str]]:
    """(key, authors' surnames lowercased, year) of each bibliography entry (pybtex entries:
    persons and fields), in key order: what the citation rule matches a plain citation against."""
    out = []
    for key in sorted(entries):
        entry = entries[key]
        persons = getattr(entry, "persons", {}) or {}
        people = list(persons.get("author") or persons.get("editor") or [])
        surnames = tuple(" ".join(p.last_names).replace("{", "").replace("}", "").casefold() for p in people)
        year = str((getattr(entry, "fields", {}) or {}).get("year", "")).strip()
        if surnames and year:
            out.append((key, surnames, year[:4]))
    return out


def _citation_parts(inner: str) -> Iterator[tuple[str, str]]:
    for part in re.split(r"[;；]", inner):
        m = _PART.match(part)
        if m is None:
            continue
        author = _ET_AL.sub("", m.group("author")).strip(" ,，")
        if not author or len(author) > 80 or author.split()[0].casefold().strip(".") in _NOT_AUTHORS:
            continue
        if _han().match(author):
            if not re.search("[,，]", m.group("sep")):
                continue  # （发布于 2019）: a date; a Chinese citation has its comma
        elif not author[0].isupper():
            continue
        yield author, m.group("year")


def _check_citations(rule: CitationsRule, prose: _Prose, authors: Sequence[tuple[str, tuple[str, ...], str]],
                     bibliography: str) -> Iterator[Problem]:
    for m in _PAREN.finditer(prose.text):
        parts = list(_citation_parts(m.group(1)))
        if not parts:
            continue
        keys: list[str] = []
        for author, year in parts:
            first = _SPLIT_AUTHORS.split(author)[0]
            surname = first.split()[-1].casefold() if first.split() else first.casefold()
            matches = [k for k, names, y in authors if y == year and names[0] == surname]
            matches = matches or [k for k, names, y in authors if y == year and surname in names]
            keys.append(matches[0] if len(matches) == 1 else "")
            if len(matches) > 1:
                keys[-1] = " or ".join(f"[@{k}]" for k in matches[:3])
        written = m.group(0)
        if all(keys):
            cite = keys[0] if keys[0].startswith("[@") else "[" + "; ".join(f"@{k}" for k in keys) + "]"
            hint = f"write {cite}: it is rendered as the citation and listed in the references"
        else:
            missing = [f"{a} ({y})" for (a, y), k in zip(parts, keys, strict=True) if not k]
            hint = (f"cite it as [@key]; {bibliography} has no entry by {', '.join(missing)}: "
                    "add one, or fix the name or year")
        yield _problem(prose, m.start(), rule, "rule-citation",
                       f"'{written}' is a citation written as plain text ({rule.where})", written, hint)


