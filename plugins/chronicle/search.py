"""Search in the reader's language, with the book's own words.

Material's search plugin writes one index, `search/search_index.json`, and mkdocs-static-i18n
fills it with every language's pages: an English reader typing `release` got Chinese cards
first (their tags, boosted a millionfold, match English words). Here:

- **One index per language.** After static-i18n has written its merged index, it is split by
  the folder each page lies in: the default language's pages stay in `search/search_index.json`,
  each other language's go to `<lang>/search/search_index.json`, with locations relative to
  `<lang>/`. A page shown in the default language for want of a translation keeps only its
  localized title there (its text is in the other language). Material's script loads
  `search/search_index.json` from the `base` in each page's `__config`: pages of `<lang>/` get
  `<lang>/` as their base (`localize_base`), so each reader's browser loads their language's
  index, and results' links resolve against it.
- **The book's words.** Material segments Chinese with jieba at build time; jieba cuts
  `分阶段发布` into `分阶段` + `发布`, so a query for the term matched pieces of every page.
  The concept names and the event titles that are single Chinese words go into a jieba user
  dictionary (Material's `jieba_dict_user`) that the plugin writes into its staging folder.
  A term stays findable by its parts (`检测` finds `合成文本检测`): the parts of each term found
  in an entry, cut by jieba's own dictionary before the book's words join it, go into two more
  fields, `title_parts` and `text_parts`, weighed as the title and the text are (Material's
  script indexes every field the index's config names, and shows only title and text).
- **Tags do not drown the text.** Material boosts a tag match 1,000,000 times (a title 1,000
  times) and repeats a page's tags on every section. Unless the author sets
  `fields: {tags: ...}`, tags count as much as a title, and only on the page's own entry.

This module never imports MkDocs' plugin objects: the plugin hands it plain values.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from . import confine

INDEX = "search/search_index.json"  # where Material writes the index, relative to the site
USER_DICT = ".chronicle-jieba-dict.txt"  # a dot-file: MkDocs does not publish it (nor does the plugin)
TAGS_BOOST = 1000.0  # as much as a title (Material's title boost), not a thousand times more

# Han characters, as Material's segmenter finds them (`\p{script: Han}`): CJK unified
# ideographs, their extensions and compatibility forms, and the iteration mark 々 and 〇.
_HAN = "\u3005\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_RUN = re.compile(f"[{_HAN}]+")
_WHOLE_HAN = re.compile(f"[{_HAN}]{{2,16}}")
_CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)


def dictionary_terms(concept_titles: Iterable[str], event_titles: Iterable[str]) -> list[str]:
    """The book's own Chinese words, sorted: every run of two to sixteen Han characters in a
    concept's name (`Transformer 架构` gives `架构`), and an event title that is one such run
    as a whole (a name, where a title with punctuation or Latin letters is a sentence whose
    runs are not words: `GPT-2 发布，完整模型暂不公开`)."""
    terms: set[str] = set()
    for title in concept_titles:
        terms.update(run for run in _HAN_RUN.findall(title) if 2 <= len(run) <= 16)
    for title in event_titles:
        title = title.strip()
        if _WHOLE_HAN.fullmatch(title):
            terms.add(title)
    return sorted(terms)


_PARTS: dict[str, list[str]] = {}  # term -> its parts, cut before the term was a word of jieba's


def term_parts(terms: Iterable[str]) -> dict[str, list[str]]:
    """Each of TERMS cut into the words of jieba's own dictionary (`分阶段发布`: `分阶段`, `发布`).
    Call it before the terms are loaded into jieba, which then keeps each whole; a term seen
    once keeps its parts for the life of the process (`mkdocs serve` builds again and again)."""
    import jieba

    _pristine_jieba(jieba.dt)
    for term in terms:
        if term not in _PARTS:
            _PARTS[term] = [w for w in jieba.lcut(term, HMM=False) if w.strip() and w != term]
    return {term: _PARTS[term] for term in terms if _PARTS[term]}


_PRISTINE: tuple[dict[str, int], int] | None = None  # jieba's words and total, before any book's


def _pristine_jieba(tokenizer: Any) -> None:
    """Give jieba back the dictionary it had before the last build loaded the book's words.
    It keeps them for the life of the process and adds each load's frequencies to its total,
    so under `mkdocs serve` every build cut Chinese a little differently from the last (and a
    word gone from the book stayed a word), unlike a clean build. (A copy: ~30 ms.)"""
    global _PRISTINE
    tokenizer.check_initialized()
    if _PRISTINE is None:
        _PRISTINE = (dict(tokenizer.FREQ), tokenizer.total)
    else:
        tokenizer.FREQ, tokenizer.total = dict(_PRISTINE[0]), _PRISTINE[1]


def user_dictionary(terms: Iterable[str], extra: str = "") -> str:
    """A jieba user dictionary: EXTRA (the author's own dictionary, kept first) and one term a
    line. No frequency: jieba then gives each the frequency that keeps it whole."""
    lines = [extra.rstrip("\n")] if extra.strip() else []
    return "\n".join([*lines, *terms]) + "\n"


def write_user_dictionary(folder: Path, text: str) -> Path:
    """Write TEXT to FOLDER/USER_DICT unless it is already there (serve would rebuild forever);
    return its path."""
    path = folder / USER_DICT
    try:
        if not path.is_symlink() and path.read_text(encoding="utf-8") == text:
            return path
    except OSError:
        pass
    confine.write_file(folder, USER_DICT, text.encode("utf-8"))
    return path


def read_author_dictionary(root: Path, value: str | None) -> str:
    """The author's `jieba_dict_user` file, read as Material reads it (relative to the working
    folder; tried relative to the project too); "" when there is none."""
    if not value:
        return ""
    for path in (Path(value), root / value):
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    return ""


def material_search(plugins: Mapping[str, Any]) -> Any | None:
    """Material's search plugin among PLUGINS (MkDocs' own has no jieba and no tags field)."""
    for name in ("material/search", "search"):
        plugin = plugins.get(name)
        if plugin is not None and "jieba_dict_user" in getattr(plugin, "config", {}):
            return plugin
    return None


def configure(search: Any, root: Path, staged: Path, terms: list[str]) -> dict[str, list[str]]:
    """Set up Material's search plugin SEARCH before its own on_config reads its options: the
    book's TERMS join the author's `jieba_dict_user` in a dictionary written into STAGED, and
    tags get the weight of a title unless the author set one. Returns the terms' parts."""
    parts = term_parts(terms)
    options = search.config
    ours = str(staged / USER_DICT)
    author = options.get("jieba_dict_user")
    extra = read_author_dictionary(root, author) if author and author != ours else ""
    write_user_dictionary(staged, user_dictionary(terms, extra))
    options["jieba_dict_user"] = ours
    fields = options.get("fields")
    if isinstance(fields, dict):
        fields.setdefault("tags", {"boost": TAGS_BOOST})
    return parts


class PartsMemo:
    """The terms' parts found in each entry's text, from one split of the index to the next,
    for the terms' PARTS it was made with (split_index uses it for those parts only)."""

    def __init__(self, parts: Mapping[str, list[str]] | None = None) -> None:
        self.parts = parts
        self.texts: dict[str, str] = {}
        self._largest = 0

    def of(self, parts: Mapping[str, list[str]] | None) -> PartsMemo:
        """This memo if it was made with PARTS, else a new one for them."""
        return self if parts == self.parts else PartsMemo(parts)

    def keep(self, seen: dict[str, str]) -> None:
        """Add SEEN, this split's; drop the texts no longer in the book when they pile up (one
        language's index, then the whole one, is split in each build)."""
        self.texts.update(seen)
        self._largest = max(self._largest, len(seen))
        if len(self.texts) > 2 * self._largest:
            self.texts = dict(seen)
            self._largest = len(seen)


def split_index(data: dict[str, Any], default: str, others: Collection[str], fallbacks: Collection[str],
                parts: Mapping[str, list[str]] | None = None, memo: PartsMemo | None = None
                ) -> dict[str, dict[str, Any]]:
    """Split Material's index DATA (`{"config", "docs"}`) into one index per language: the pages
    under `<lang>/` for each of OTHERS, the rest for DEFAULT, each with locations relative to
    its language's folder. FALLBACKS: the URLs of pages shown in the default language under
    another language's folder; each keeps only its own entry, without its text. A section's
    entry loses the page's tags: the page's own entry carries them once. PARTS: each term's
    parts, added to the entries where the term is a word (see the module's docstring). MEMO: the
    parts found in each text, for the next split with the same PARTS; a memo made with other
    parts is not used. While serving, most entries are as they were, and one language's split
    is followed by the whole index's."""
    docs: dict[str, list[dict[str, Any]]] = {lang: [] for lang in (default, *others)}
    config = dict(data.get("config", {}))
    if parts:
        fields = dict(config.get("fields") or {})
        for name in ("title", "text"):
            boost = (fields.get(name) or {}).get("boost", 1.0)
            fields.setdefault(name + "_parts", {"boost": boost})
        config["fields"] = fields
    if memo is not None and memo.parts != parts:
        memo = None  # made with other terms: what it found in a text is not what these find
    known = memo.texts if memo is not None else {}
    seen: dict[str, str] = {}
    for doc in data.get("docs", []):
        location = str(doc.get("location", ""))
        lang = next((o for o in others if location.startswith(o + "/")), default)
        page, _, anchor = location.partition("#")
        doc = dict(doc)
        if anchor:
            doc.pop("tags", None)
        if page in fallbacks:
            if anchor:
                continue
            doc["text"] = ""
        if parts:
            for name in ("title", "text"):
                text = str(doc.get(name, ""))
                found = known.get(text)
                if found is None:
                    found = _parts_in(text, parts)
                seen[text] = found
                if found:
                    doc[name + "_parts"] = found
        if lang != default:
            doc["location"] = location[len(lang) + 1:]
        docs[lang].append(doc)
    if memo is not None:
        memo.keep(seen)
    return {lang: {"config": config, "docs": entries} for lang, entries in docs.items()}


_WORDS = re.compile(r"[\u200b\s]+|<[^>]*>")  # Material puts a zero-width space between jieba's words


def _parts_in(text: str, parts: Mapping[str, list[str]]) -> str:
    """The parts of the terms that are words of TEXT, one space between each."""
    found: list[str] = []
    for word in dict.fromkeys(_WORDS.split(text)):
        found.extend(parts.get(word, ()))
    return " ".join(dict.fromkeys(found))


def write_indexes(site_dir: Path, default: str, others: Collection[str], fallbacks: Collection[str],
                  parts: Mapping[str, list[str]] | None = None, memo: PartsMemo | None = None) -> bool:
    """Split the index Material and static-i18n wrote into SITE_DIR (see `split_index`) and
    write each language's; False when there was none to split."""
    path = site_dir / INDEX
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    for lang, index in split_index(data, default, others, fallbacks, parts, memo).items():
        rel = INDEX if lang == default else f"{lang}/{INDEX}"
        (site_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (site_dir / rel).write_text(json.dumps(index, separators=(",", ":"), ensure_ascii=False),
                                    encoding="utf-8")
    return True


def localize_base(output: str, lang: str) -> str:
    """Point the `base` of Material's `__config` in OUTPUT, a page of LANG's folder, at that
    folder: Material's script loads the search index from there and resolves results against it."""
    match = _CONFIG.search(output)
    if match is None:
        return output
    try:
        config = json.loads(match.group(2))
    except ValueError:
        return output
    base = config.get("base")
    if not isinstance(base, str):
        return output
    config["base"] = posixpath.join(base, lang) + "/"
    # As Jinja's tojson writes it: safe inside a <script> element.
    text = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e") \
        .replace("&", "\\u0026").replace("'", "\\u0027")
    return output[:match.start(2)] + text + output[match.end(2):]


# Material's segmenter of Chinese queries (its search worker's `segment`) looks up every slice
# of a query but those that end at its last character (`j < query.length`), and does not go on
# to a last character left alone (`q < query.length - 1`): `发布` is searched for, and
# highlighted on the page opened (`?h=发`), as `发`; `分阶段发布` as `分阶段` and `发`. The two
# bounds, in the worker as Material minifies it (its variable names vary, the code does not).
_SEGMENT_LOOP = re.compile(r"for\(let (\w+)=(\w+)\+1;\1<(\w+)\.length;\1\+\+\)\3\.slice\(\2,\1\)in \w+&&")
_SEGMENT_REST = re.compile(r"(\w+)\[(\w+)\]&&\2<(\w+)\.length-1&&")
WORKERS = "assets/javascripts/workers"


def fix_segmenter(site: Path) -> int:
    """Mend Material's query segmenter in the search worker the site holds (see above); the
    number of workers mended. One whose code is not as expected (another Material) is left as
    it is, as is one mended already."""
    mended = 0
    folder = site / WORKERS
    for worker in sorted(folder.glob("search.*.min.js")) if folder.is_dir() else ():
        code = worker.read_text(encoding="utf-8")
        loop = _SEGMENT_LOOP.search(code)
        if loop is None:
            continue
        rest = _SEGMENT_REST.search(code, loop.end(), loop.end() + 400)
        if rest is None or rest.group(3) != loop.group(3):
            continue
        fixed = (code[:loop.start()] + loop.group(0).replace("<", "<=", 1) + code[loop.end():rest.start()]
                 + f"{rest.group(1)}[{rest.group(2)}]&&{rest.group(2)}<{rest.group(3)}.length&&"
                 + code[rest.end():])
        if not worker.is_symlink():  # MkDocs copied it here: written in place, its mode kept
            worker.write_text(fixed, encoding="utf-8")
            mended += 1
    return mended
