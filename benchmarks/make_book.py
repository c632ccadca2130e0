#!/usr/bin/env python3
"""Generate a synthetic bilingual Chronicle book, optionally with known defects.

What it makes (deterministic for a given --seed):

- ``OUT/mkdocs.yml``: Material, the chronicle plugin (knowledge_dir ``knowledge``, other
  options at their defaults), mkdocs-static-i18n (suffix, zh default + en), toc with
  ``pymdownx.slugs.slugify(case=lower)``, attr_list, md_in_html; no nav, so MkDocs
  builds every page.
- ``OUT/manuscript/NN-part/cNNNN-slug.md`` and ``.en.md``: N chapters, ~10 per part
  folder, every chapter translated, 3-8 KB each. Chinese and English prose, ``##``
  headings with explicit ids ``{#sec-k}`` shared by both languages, headings without
  ids, fenced and indented code holding link look-alikes (never to be flagged), code
  spans, tables, images (small PNGs in ``manuscript/assets/``), an admonition, and
  links of every kind: relative links to chapters and cards (with ``#anchors``),
  same-page anchors, percent-encoded anchors to Chinese headings, ``[[id]]``,
  ``[[id|text]]`` (``[[id\\|text]]`` in tables), ``[[chapter-folder#sec-k]]``,
  ``![[card-id]]``, ``[@key]``/``[@a; @b]`` citations, reference-style links with
  definitions, external URLs, mailto links and links with titles.
- ``OUT/knowledge/events/*.md`` (2/3 of --cards) and ``OUT/knowledge/concepts/*.md``
  (the rest), ~85 % with an ``.en.md`` translation; valid front matter per
  shared/design.md (causal links only go from earlier- to later-dated events, so the
  graph has no cycle and no ``causal-order`` error; ``verified`` events cite a
  credibility-1 source).
- ``OUT/knowledge/references.bib``: ~100 entries with ``credibility``.
- ``OUT/ids.json``: the id index (id -> file, titles) and citation labels, for tools
  that convert the book (benchmarks/bench_plugin.py).
- With ``--defects``: a known number of broken references of each kind (see
  DEFECT_KINDS) and ``OUT/defects.json``, a list of ``{"file", "line", "kind",
  "target"}`` (file relative to OUT, line 1-based, target as written in the link when
  there is one).

Run::

    python benchmarks/make_book.py OUT --chapters 1000 --cards 2000 --defects --seed 1
    chronicle check OUT

Uses only the standard library and pymdown-extensions (a dependency of the project,
for the slugify the book's mkdocs.yml configures).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import struct
import sys
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

DEFECT_KINDS = (
    "missing-file",  # a relative link to a file that does not exist
    "missing-anchor",  # a link to an existing page with a #fragment it does not have
    "missing-image",  # an image that does not exist
    "undefined-label",  # [text][label] with no [label]: definition
    "unknown-id",  # [[id]] naming nothing
    "unknown-embed",  # ![[id]] naming nothing
    "unknown-citation",  # [@key] not in references.bib
    "wrong-language",  # a link into x.en.md from a zh page
    "bad-date",  # a card whose date is not a date
    "unknown-field",  # a card with a field the schema does not know
    "unknown-concept",  # technical_concepts naming no concept card
)

# --------------------------------------------------------------------------------------
# Word pools (zh, en)
# --------------------------------------------------------------------------------------

TOPICS = [
    ("注意力机制", "attention", "attention"),
    ("卷积网络", "convolutional networks", "convnets"),
    ("语言模型", "language models", "language-models"),
    ("强化学习", "reinforcement learning", "rl"),
    ("知识蒸馏", "knowledge distillation", "distillation"),
    ("词向量", "word vectors", "word-vectors"),
    ("对抗样本", "adversarial examples", "adversarial"),
    ("机器翻译", "machine translation", "translation"),
    ("语音识别", "speech recognition", "speech"),
    ("图像生成", "image generation", "image-gen"),
    ("检索增强", "retrieval augmentation", "retrieval"),
    ("对齐研究", "alignment research", "alignment"),
    ("开放权重", "open weights", "open-weights"),
    ("推理芯片", "inference chips", "chips"),
    ("数据标注", "data labelling", "labelling"),
    ("评测基准", "benchmarks", "benchmarks"),
    ("稀疏专家模型", "mixtures of experts", "moe"),
    ("长上下文", "long context", "long-context"),
    ("多模态模型", "multimodal models", "multimodal"),
    ("安全评估", "safety evaluation", "safety"),
    ("神经网络剪枝", "network pruning", "pruning"),
    ("自监督学习", "self-supervised learning", "self-supervised"),
]
CHAPTER_PATTERNS = [
    ("{t}的兴起", "The rise of {t}"),
    ("{t}的转折", "A turn for {t}"),
    ("围绕{t}的争论", "Arguing about {t}"),
    ("{t}之后", "After {t}"),
    ("{t}的黄金时代", "The golden age of {t}"),
    ("{t}的困境", "The trouble with {t}"),
    ("重新发现{t}", "Rediscovering {t}"),
    ("{t}的代价", "The cost of {t}"),
]
ORGS = [
    ("OpenAI", "OpenAI"), ("DeepMind", "DeepMind"), ("谷歌大脑", "Google Brain"),
    ("Meta AI", "Meta AI"), ("Anthropic", "Anthropic"), ("百度研究院", "Baidu Research"),
    ("智源研究院", "BAAI"), ("艾伦人工智能研究所", "Allen Institute for AI"),
    ("EleutherAI", "EleutherAI"), ("Hugging Face", "Hugging Face"), ("微软研究院", "Microsoft Research"),
    ("斯坦福大学", "Stanford University"), ("清华大学", "Tsinghua University"), ("蒙特利尔学习算法研究所", "Mila"),
]
EVENT_NOUNS = [
    ("论文发表", "paper published", "paper_publication"),
    ("模型发布", "model released", "model_release"),
    ("产品上线", "product launched", "product_launch"),
    ("公司宣布", "announcement", "company_announcement"),
    ("技术突破", "breakthrough", "technical_breakthrough"),
    ("研究报告", "research report", "research_publication"),
    ("政策出台", "policy issued", "policy"),
]
SIGNIFICANCE = ["critical", "major", "major", "notable", "notable", "notable", "minor", "minor"]
TAGS = ["scaling", "open-source", "safety", "benchmarks", "compute", "policy", "nlp", "vision",
        "speech", "hardware", "data", "evaluation", "reproducibility", "industry", "academia"]
SECTION_HEADINGS = [
    ("缘起", "Origins"), ("关键人物", "The people"), ("技术细节", "Technical details"),
    ("各方反应", "Reactions"), ("数据与算力", "Data and compute"), ("从实验室到产品", "From lab to product"),
    ("媒体的叙述", "What the press said"), ("复现与检验", "Replication"), ("成本与收益", "Costs and benefits"),
    ("转折点", "The turning point"), ("未解的问题", "Open questions"), ("长期影响", "Long-term effects"),
    ("被忽视的前史", "A neglected prehistory"), ("竞争者", "The competitors"), ("方法之争", "A quarrel over method"),
]
FREE_HEADINGS = [  # headings without explicit ids: linked by their slug
    ("资料与争议", "Sources and disputes"), ("余波", "Aftermath"), ("GPT 时代的前夜", "On the eve of the GPT era"),
    ("数字背后的故事", "The story behind the numbers"), ("谁在说话？", "Who is speaking?"),
    ("一个被遗忘的细节", "A forgotten detail"), ("2019 年的转折", "The turn of 2019"),
    ("开放与封闭", "Open and closed"), ("小结", "Summary"), ("旁注：命名的混乱", "An aside: naming chaos"),
    ("同时代的另一条路", "Another road at the same time"), ("读者来信", "Letters from readers"),
]
ZH_SUBJ = ["研究者", "这家实验室", "批评者", "几位记者", "工程师团队", "早期用户", "监管机构", "开源社区",
           "投资人", "学术界", "评审委员会", "一位博士生", "竞争对手", "标准组织"]
ZH_VERB = ["重新审视了", "公开讨论了", "低估了", "迅速复现了", "质疑了", "系统地比较了", "记录下了",
           "反复引用了", "试图解释", "悄悄修改了", "高估了", "整理出了"]
ZH_OBJ = ["模型规模与能力之间的关系", "训练数据的来源", "发布策略背后的考量", "基准测试的局限",
          "算力成本的快速上升", "生成文本的可信度", "开放权重的利弊", "评估方法的可复现性",
          "这项技术的两用风险", "早期论文中的若干数字", "参数量的统计口径", "人工标注的质量"]
ZH_TAIL = ["，这在当时并不常见", "，却很少有人注意到其中的细节", "，并由此引出了新的问题", "",
           "，这一点后来被反复提起", "，争论持续了数月之久", "，其影响一直延续到今天", "，结论却众说纷纭"]
ZH_OPEN = ["", "", "", "在那一年，", "事后看来，", "起初，", "与此同时，", "据当时的报道，", "不久之后，"]
EN_SUBJ = ["Researchers", "The lab", "Critics", "Several reporters", "An engineering team", "Early users",
           "Regulators", "The open-source community", "Investors", "Academia", "A review board",
           "A doctoral student", "A competitor", "A standards body"]
EN_VERB = ["revisited", "openly discussed", "underestimated", "quickly reproduced", "questioned",
           "systematically compared", "recorded", "kept citing", "tried to explain", "quietly revised",
           "overestimated", "compiled"]
EN_OBJ = ["the link between model size and ability", "where the training data came from",
          "the reasoning behind the release strategy", "the limits of the benchmarks",
          "the fast-rising cost of compute", "how far generated text could be trusted",
          "the case for and against open weights", "whether the evaluations could be reproduced",
          "the dual-use risks of the technique", "several figures in the early papers",
          "how parameters were counted", "the quality of human labels"]
EN_TAIL = [", which was unusual at the time", ", though few noticed the details",
           ", and new questions followed", "", ", a point raised again and again later",
           ", and the argument went on for months", ", with effects that last to this day",
           ", yet nobody agreed on the conclusion"]
EN_OPEN = ["", "", "", "That year, ", "In hindsight, ", "At first, ", "Meanwhile, ",
           "According to reports at the time, ", "Soon after, "]
LAST_NAMES = ["Smith", "Chen", "Wang", "Li", "Garcia", "Muller", "Tanaka", "Kim", "Ivanov", "Rossi",
              "Okafor", "Silva", "Zhang", "Liu", "Brown", "Dubois", "Novak", "Haddad", "Singh", "Cohen"]
FIRST_NAMES = ["Wei", "John", "Maria", "Yuki", "Anna", "Ravi", "Chen", "Olga", "Luca", "Amara",
               "Jia", "Pedro", "Sara", "Omar", "Lena", "Tom"]
VENUES = ["Journal of Synthetic Studies", "Proceedings of the Imaginary Conference on Learning",
          "Transactions on Made-up Systems", "Workshop on Plausible Results"]

CODE_BLOCK_ZH = """```markdown
<!-- 写作示例：代码块里的东西都不是链接 -->
参见 [x](nope.md)、[[nope]] 与 [[nope|文字]]
![[nope-card]]
引用 [@nokey2099]，以及 [未定义][no-label]
![图](missing.png)
## 这不是标题 {#not-a-heading}
```"""
CODE_BLOCK_EN = """```markdown
<!-- authoring example: nothing in a code block is a link -->
See [x](nope.md), [[nope]] and [[nope|text]]
![[nope-card]]
Cite [@nokey2099], and [undefined][no-label]
![figure](missing.png)
## Not a heading {#not-a-heading}
```"""
CODE_BLOCK_PY = """~~~python
# links inside code are never checked
LINKS = ["[y](missing.md)", "[[also-nope]]", "![[nope-embed]]", "[@ghost2001]"]
print("#sec-99", LINKS)
~~~"""
INDENTED_CODE = "    [[indented-nope]] [z](indented-missing.md)\n    ![[indented-nope-card]]"


# --------------------------------------------------------------------------------------
# Plan
# --------------------------------------------------------------------------------------


@dataclass
class Chapter:
    idx: int
    part: str  # folder name, e.g. "03-part"
    stem: str
    title_zh: str
    title_en: str
    sections: list[tuple[str, str, str]]  # (id, zh heading, en heading)
    free: list[tuple[str, str]]  # headings without ids (zh, en)
    page_id: str | None = None
    first_in_folder: bool = False

    @property
    def path(self) -> str:
        return f"manuscript/{self.part}/{self.stem}.md"

    @property
    def en_path(self) -> str:
        return f"manuscript/{self.part}/{self.stem}.en.md"


@dataclass
class Card:
    kind: str  # "event" | "concept"
    idx: int
    stem: str
    ident: str
    title_zh: str
    title_en: str
    translated: bool
    reserved: bool = False  # corrupted by --defects: nothing refers to it by id
    date: str = ""
    key: tuple[int, int, int] = (0, 0, 0)
    explicit_id: bool = True
    org: int = 0
    etype: int = 0
    name_fields: bool = False  # concept_name_zh/_en instead of title/title_en

    @property
    def path(self) -> str:
        return f"knowledge/{'events' if self.kind == 'event' else 'concepts'}/{self.stem}.md"

    @property
    def en_path(self) -> str:
        return self.path[:-3] + ".en.md"

    @property
    def anchors(self) -> tuple[str, ...]:
        if self.kind == "event":
            return ("background", "what-happened", "why-it-matters", "links")
        return ("what-it-is", "history", "related")


@dataclass
class BibEntry:
    key: str
    credibility: int
    label: str
    text: str


@dataclass
class Defect:
    kind: str
    k: int
    host: str  # file it goes into
    target: str = ""
    line: int = 0
    form: str = ""


@dataclass
class Book:
    chapters: list[Chapter] = field(default_factory=list)
    events: list[Card] = field(default_factory=list)
    concepts: list[Card] = field(default_factory=list)
    bib: list[BibEntry] = field(default_factory=list)
    first_of_folder: dict[str, Chapter] = field(default_factory=dict)


def _slugify():
    from pymdownx.slugs import slugify

    return slugify(case="lower")


class Generator:
    def __init__(self, out: Path, chapters: int, cards: int, defects: bool, seed: int,
                 per_kind: int | None = None) -> None:
        self.out = out
        self.n_chapters = max(1, chapters)
        self.n_cards = max(3, cards)
        self.defects_on = defects
        self.seed = seed
        self.rng = random.Random(seed)
        self.slug_fn = _slugify()
        self._slug_cache: dict[str, str] = {}
        self._rel_cache: dict[tuple[str, str], str] = {}
        self.book = Book()
        self.per_kind = per_kind if per_kind is not None else max(1, min(10, self.n_chapters // 10))
        self.defects: list[Defect] = []
        self.host_defects: dict[str, list[Defect]] = {}
        self.card_defects: dict[str, Defect] = {}
        s_rng = random.Random(f"{seed}-sentences")
        self._sentences = {lang: [self._make_sentence(s_rng, lang) for _ in range(4096)] for lang in ("zh", "en")}
        self.files_written = 0
        self.bytes_written = 0

    # -- helpers -------------------------------------------------------------------

    def slug(self, text: str) -> str:
        s = self._slug_cache.get(text)
        if s is None:
            s = self._slug_cache[text] = self.slug_fn(text, "-")
        return s

    def rel(self, host: str, target: str) -> str:
        """Relative path from the file HOST to TARGET (both relative to the book root)."""
        start = host.rpartition("/")[0]
        key = (start, target)
        r = self._rel_cache.get(key)
        if r is None:
            a, b = start.split("/") if start else [], target.split("/")
            i = 0
            while i < len(a) and i < len(b) - 1 and a[i] == b[i]:
                i += 1
            r = self._rel_cache[key] = "/".join([".."] * (len(a) - i) + b[i:])
        return r

    def write(self, rel: str, text: str) -> None:
        path = self.out / rel
        data = text.encode("utf-8")
        try:
            path.write_bytes(data)
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        self.files_written += 1
        self.bytes_written += len(data)

    # -- planning ------------------------------------------------------------------

    def plan(self) -> None:
        rng = self.rng
        n = self.n_chapters
        n_parts = max(1, (n + 9) // 10)
        width = max(2, len(str(n_parts)))
        cwidth = max(4, len(str(n)))
        per_part = [n // n_parts + (1 if i < n % n_parts else 0) for i in range(n_parts)]
        idx = 0
        for p, count in enumerate(per_part, start=1):
            part = f"{p:0{width}d}-part"
            for j in range(count):
                t_zh, t_en, t_slug = TOPICS[idx % len(TOPICS)]
                pat_zh, pat_en = CHAPTER_PATTERNS[(idx // len(TOPICS)) % len(CHAPTER_PATTERNS)]
                k = rng.randint(4, 6)
                heads = rng.sample(SECTION_HEADINGS, k)
                sections = [(f"sec-{i + 1}", zh, en) for i, (zh, en) in enumerate(heads)]
                free = rng.sample(FREE_HEADINGS, 2)
                ch = Chapter(
                    idx=idx, part=part, stem=f"c{idx + 1:0{cwidth}d}-{t_slug}",
                    title_zh=f"第 {idx + 1} 章　" + pat_zh.format(t=t_zh),
                    title_en=f"Chapter {idx + 1}: " + pat_en.format(t=t_en),
                    sections=sections, free=free,
                    page_id=f"ch{idx + 1}-{t_slug}" if idx % 7 == 3 else None,
                    first_in_folder=(j == 0),
                )
                self.book.chapters.append(ch)
                if j == 0:
                    self.book.first_of_folder[part] = ch
                idx += 1
        self._plan_bib()
        self._plan_cards()

    def _plan_bib(self) -> None:
        rng = self.rng
        keys: set[str] = set()
        for i in range(100):
            last = rng.choice(LAST_NAMES)
            year = rng.randint(1950, 2024)
            word = rng.choice(TOPICS)[2].split("-")[0]
            key = f"{last.lower()}{year}{word}"
            while key in keys:
                key += "x"
            keys.add(key)
            n_auth = rng.choice([1, 1, 2, 3, 4])
            people = [(rng.choice(LAST_NAMES) if a else last, rng.choice(FIRST_NAMES)) for a in range(n_auth)]
            cred = rng.choice([1, 1, 1, 1, 2, 2, 3, 3, 3, 4])
            if i < 10:
                cred = 1  # enough primary sources for verified events
            if n_auth == 1:
                label = f"{last}, {year}"
            elif n_auth == 2:
                label = f"{people[0][0]} and {people[1][0]}, {year}"
            else:
                label = f"{last} et al., {year}"
            authors = " and ".join(f"{ln}, {fn}" for ln, fn in people)
            topic_en = rng.choice(TOPICS)[1]
            kind = rng.choice(["article", "inproceedings", "misc", "techreport"])
            lines = [f"@{kind}{{{key},", f"  author      = {{{authors}}},",
                     f"  title       = {{Notes on {topic_en.title()}, Part {i + 1}}},"]
            if kind == "article":
                lines.append(f"  journal     = {{{rng.choice(VENUES)}}},")
            elif kind == "inproceedings":
                lines.append(f"  booktitle   = {{{rng.choice(VENUES)}}},")
            elif kind == "techreport":
                lines.append(f"  institution = {{{rng.choice(ORGS)[1]}}},")
            else:
                lines.append("  howpublished = {Blog post},")
            lines += [f"  year        = {{{year}}},", f"  url         = {{https://example.org/refs/{key}}},",
                      f"  credibility = {{{cred}}}", "}"]
            self.book.bib.append(BibEntry(key, cred, label, "\n".join(lines)))

    def _plan_cards(self) -> None:
        rng = self.rng
        n_events = max(2, self.n_cards * 2 // 3)
        n_concepts = max(1, self.n_cards - n_events)
        ewidth = max(4, len(str(n_events)))
        day = 0
        import datetime as dt

        start = dt.date(1940, 1, 1)
        for i in range(n_events):
            day += rng.randint(3, 20)
            d = start + dt.timedelta(days=day)
            r = rng.random()
            if r < 0.08:
                date, key = f"{d.year}", (d.year, 0, 0)
            elif r < 0.18:
                date, key = f"{d.year}-{d.month:02d}", (d.year, d.month, 0)
            else:
                date, key = d.isoformat(), (d.year, d.month, d.day)
            t_zh, t_en, t_slug = TOPICS[rng.randrange(len(TOPICS))]
            org_zh, org_en = ORGS[rng.randrange(len(ORGS))]
            noun_zh, noun_en, _ = EVENT_NOUNS[rng.randrange(len(EVENT_NOUNS))]
            self.book.events.append(Card(
                kind="event", idx=i, stem=f"{t_slug}-{d.year}-{i + 1:0{ewidth}d}",
                ident=f"ev{i + 1:0{ewidth}d}-{d.year}",
                title_zh=f"{org_zh}{t_zh}{noun_zh}（{d.year}）",
                title_en=f"{org_en}: {t_en} {noun_en} ({d.year})",
                translated=rng.random() < 0.85, date=date, key=key,
                org=ORGS.index((org_zh, org_en)), etype=[e[0] for e in EVENT_NOUNS].index(noun_zh),
            ))
        cwidth = max(3, len(str(n_concepts)))
        for i in range(n_concepts):
            t_zh, t_en, t_slug = TOPICS[i % len(TOPICS)]
            stem = f"{t_slug}-{i + 1:0{cwidth}d}"
            self.book.concepts.append(Card(
                kind="concept", idx=i, stem=stem, ident=stem,
                title_zh=f"{t_zh}（{i + 1}）", title_en=f"{t_en.capitalize()} ({i + 1})",
                translated=rng.random() < 0.85, explicit_id=(i % 4 != 1), name_fields=(i % 5 == 2),
            ))
        # Cards the defects corrupt (bad date, unknown field) must be referenced by nobody,
        # or every reference to them would become an error too. Reserved with or without
        # --defects, so both books differ only by the injected defects.
        k = self.per_kind
        pool = [c for c in self.book.events[1:]]
        rng.shuffle(pool)
        n_res = min(2 * k, max(0, len(pool) - 2))
        for c in pool[:n_res]:
            c.reserved = True
        self.live_events = [c for c in self.book.events if not c.reserved]
        self.live_concepts = list(self.book.concepts)
        self.live_cards = self.live_events + self.live_concepts
        self.reserved = pool[:n_res]

    # -- defects ------------------------------------------------------------------

    def plan_defects(self) -> None:
        rng = random.Random(f"{self.seed}-defects")
        k = self.per_kind
        chapters = self.book.chapters
        zh_hosts = [c.path for c in chapters] + [c.path for c in self.live_cards]
        en_hosts = [c.en_path for c in chapters] + [c.en_path for c in self.live_cards if c.translated]
        body_hosts = zh_hosts + en_hosts
        rng.shuffle(body_hosts)
        zh_only = list(zh_hosts)
        rng.shuffle(zh_only)
        used: set[str] = set()

        def host(pool: list[str]) -> str:
            for h in pool:
                if h not in used:
                    used.add(h)
                    return h
            return rng.choice(pool)

        def add(d: Defect) -> None:
            self.defects.append(d)
            self.host_defects.setdefault(d.host, []).append(d)

        targets = rng.sample(chapters, min(len(chapters), 2 * k))
        for kind in DEFECT_KINDS[:8]:
            for i in range(k):
                h = host(zh_only if kind == "wrong-language" else body_hosts)
                d = Defect(kind, i + 1, h)
                if kind == "missing-file":
                    folder = rng.choice(chapters).part
                    t = (f"manuscript/{folder}/missing-note-{i + 1}.md" if i % 2 == 0
                         else f"knowledge/events/missing-event-{i + 1}.md")
                    d.target = self.rel(h, t)
                elif kind == "missing-anchor":
                    if i % 2 == 0:
                        ch = targets[i % len(targets)]
                        d.target = self.rel(h, ch.path) + f"#sec-missing-{i + 1}"
                    else:
                        card = self.live_cards[rng.randrange(len(self.live_cards))]
                        d.target = self.rel(h, card.path) + f"#no-such-section-{i + 1}"
                elif kind == "missing-image":
                    d.target = self.rel(h, f"manuscript/assets/missing-figure-{i + 1}.png")
                elif kind == "undefined-label":
                    d.target = f"undefined-label-{i + 1}"
                elif kind == "unknown-id":
                    d.target = f"[[no-such-id-{i + 1}]]"
                elif kind == "unknown-embed":
                    d.target = f"![[no-such-card-{i + 1}]]"
                elif kind == "unknown-citation":
                    d.target = f"@nosuchkey{i + 1}"
                    # Half written as Chinese authors do, right after a CJK character.
                    d.form = "cjk-adjacent" if (i % 2 == 1 and not h.endswith(".en.md")) else "spaced"
                elif kind == "wrong-language":
                    ch = targets[(k + i) % len(targets)]
                    d.target = self.rel(h, ch.en_path)
                add(d)
        # Front-matter defects.
        reserved = list(self.reserved)
        for i in range(k):
            if reserved:
                c = reserved.pop()
                d = Defect("bad-date", i + 1, c.path)
                self.card_defects[c.path] = d
                self.defects.append(d)
        for i in range(k):
            if reserved:
                c = reserved.pop()
                d = Defect("unknown-field", i + 1, c.path, target=f"source_url_{i + 1}")
                self.card_defects[c.path] = d
                self.defects.append(d)
        fm_hosts = [c for c in self.live_events if c.path not in self.card_defects]
        rng.shuffle(fm_hosts)
        for i in range(min(k, len(fm_hosts))):
            c = fm_hosts[i]
            d = Defect("unknown-concept", i + 1, c.path, target=f"no-such-concept-{i + 1}")
            self.card_defects[c.path] = d
            self.defects.append(d)

    def defect_block(self, d: Defect, lang: str) -> str:
        zh = lang == "zh"
        if d.kind == "missing-file":
            return (f"另见[一份已经删除的笔记]({d.target})。" if zh
                    else f"See also [a note that was deleted]({d.target}).")
        if d.kind == "missing-anchor":
            return (f"这一点在[另一处]({d.target})也有讨论。" if zh
                    else f"This is also discussed [elsewhere]({d.target}).")
        if d.kind == "missing-image":
            return f"![缺失的插图]({d.target})" if zh else f"![A missing figure]({d.target})"
        if d.kind == "undefined-label":
            return (f"当年的报道可见[这篇旧闻][{d.target}]。" if zh
                    else f"The coverage at the time is in [this old story][{d.target}].")
        if d.kind == "unknown-id":
            return f"相关的事件是 {d.target}。" if zh else f"The related event is {d.target}."
        if d.kind == "unknown-embed":
            return d.target
        if d.kind == "unknown-citation":
            if d.form == "cjk-adjacent":
                return f"这一说法出自一份内部备忘录[{d.target}]。"
            return (f"这一说法出自一份内部备忘录 [{d.target}]。" if zh
                    else f"The claim comes from an internal memo [{d.target}].")
        if d.kind == "wrong-language":
            return f"英文读者可以直接看[译文]({d.target})。"
        raise ValueError(d.kind)

    # -- prose ---------------------------------------------------------------------

    def sentence(self, rng: random.Random, lang: str) -> str:
        return self._sentences[lang][rng.getrandbits(12)]

    def _make_sentence(self, rng: random.Random, lang: str) -> str:
        if lang == "zh":
            return (rng.choice(ZH_OPEN) + rng.choice(ZH_SUBJ) + rng.choice(ZH_VERB) + rng.choice(ZH_OBJ)
                    + rng.choice(ZH_TAIL))
        s = (rng.choice(EN_OPEN) + rng.choice(EN_SUBJ).lower() + " " + rng.choice(EN_VERB) + " "
             + rng.choice(EN_OBJ) + rng.choice(EN_TAIL))
        return s[0].upper() + s[1:]

    def paragraph(self, rng: random.Random, lang: str, snippets: list[str], n: int | None = None) -> str:
        """Sentences with the snippets (links, citations) worked in."""
        n = n or rng.randint(2, 5)
        sentences = [self.sentence(rng, lang) for _ in range(n)]
        end = "。" if lang == "zh" else "."
        for snip in snippets:
            i = rng.randrange(n)
            if snip.startswith(("[@", " [@")):
                sentences[i] += snip
            elif lang == "zh":
                sentences[i] += rng.choice(["（参见{}）", "，详见{}", "，可对照{}"]).format(snip)
            else:
                sentences[i] += rng.choice([" (see {})", "; compare {}", ", as described in {}"]).format(snip)
        return "".join(s + end for s in sentences) if lang == "zh" else " ".join(s + end for s in sentences)

    def cite(self, rng: random.Random, lang: str, cjk_ok: bool = True) -> str:
        bib = self.book.bib
        keys = [rng.choice(bib).key]
        if rng.random() < 0.25:
            other = rng.choice(bib).key
            if other not in keys:
                keys.append(other)
        body = "[" + "; ".join("@" + k for k in keys) + "]"
        if lang == "zh" and cjk_ok and rng.random() < 0.3:
            return body  # right after a CJK character, as Chinese is written
        return " " + body

    # -- link specs ------------------------------------------------------------------

    def chapter_link(self, rng: random.Random, host: str, lang: str, ch: Chapter, mode: str) -> str:
        title = ch.title_zh if lang == "zh" else ch.title_en
        href = self.rel(host, ch.path)
        if mode == "sec":
            href += f"#{rng.choice(ch.sections)[0]}"
        elif mode == "free":
            zh_h, en_h = rng.choice(ch.free)
            encode = rng.random() < 0.8  # drawn in both languages: same structure
            if lang == "zh":
                s = self.slug(zh_h)
                href += "#" + (quote(s) if encode else s)
            else:
                href += "#" + self.slug(en_h)
        elif mode == "title":
            return f'[{title}]({href} "{title}")'
        return f"[{title}]({href})"

    def card_link(self, rng: random.Random, host: str, lang: str, card: Card, anchor: bool) -> str:
        title = card.title_zh if lang == "zh" else card.title_en
        href = self.rel(host, card.path)
        if anchor:
            href += "#" + rng.choice(card.anchors)
        return f"[{title}]({href})"

    def wiki(self, rng: random.Random, lang: str, card: Card, own_text: bool, table: bool = False) -> str:
        if not own_text:
            return f"[[{card.ident}]]"
        text = ("这张卡片" if lang == "zh" else "this card") if rng.random() < 0.5 else (
            card.title_zh if lang == "zh" else card.title_en)
        bar = "\\|" if table else "|"
        return f"[[{card.ident}{bar}{text}]]"

    # -- chapters --------------------------------------------------------------------

    def chapter_text(self, ch: Chapter, lang: str, original: str = "") -> str:
        host = ch.path if lang == "zh" else ch.en_path
        zh = lang == "zh"
        s_rng = random.Random(f"{self.seed}-s-{ch.idx}")  # structure: same in both languages
        p_rng = random.Random(f"{self.seed}-p-{ch.idx}-{lang}")  # prose
        chapters = self.book.chapters
        cards = self.live_cards
        events = self.live_events
        blocks: list[str] = []
        fm: list[str] = []
        if ch.page_id and zh:
            fm += [f"id: {ch.page_id}"]
        if ch.idx % 5 == 1:
            fm += [f"title: \"{ch.title_zh if zh else ch.title_en}\""]
        if not zh and ch.idx % 2 == 0:
            fm += [f"translated_from: \"{fingerprint(original)}\""]
        if fm:
            blocks.append("---\n" + "\n".join(fm) + "\n---")
        blocks.append(f"# {ch.title_zh if zh else ch.title_en}")

        def other_chapter() -> Chapter:
            c = chapters[s_rng.randrange(len(chapters))]
            return c

        def snippets(n: int) -> list[str]:
            out: list[str] = []
            for _ in range(n):
                r = s_rng.random()
                if r < 0.22:
                    mode = s_rng.choice(["plain", "sec", "sec", "free", "title"])
                    out.append(self.chapter_link(s_rng, host, lang, other_chapter(), mode))
                elif r < 0.42:
                    card = cards[s_rng.randrange(len(cards))]
                    out.append(self.card_link(s_rng, host, lang, card, s_rng.random() < 0.4))
                elif r < 0.62:
                    card = cards[s_rng.randrange(len(cards))]
                    out.append(self.wiki(s_rng, lang, card, s_rng.random() < 0.5))
                elif r < 0.70:
                    folder = s_rng.choice(list(self.book.first_of_folder))
                    first = self.book.first_of_folder[folder]
                    sec = first.sections[s_rng.randrange(3)][0]
                    if s_rng.random() < 0.5:
                        out.append(f"[[{folder}#{sec}]]")
                    else:
                        text = "那一节" if zh else "that section"
                        out.append(f"[[{folder}#{sec}|{text}]]")
                elif r < 0.74:
                    with_id = [c for c in (other_chapter() for _ in range(3)) if c.page_id]
                    if with_id:
                        out.append(f"[[{with_id[0].page_id}]]")
                    else:
                        out.append(self.chapter_link(s_rng, host, lang, other_chapter(), "plain"))
                elif r < 0.84:
                    sec = s_rng.choice(ch.sections)[0]
                    if s_rng.random() < 0.5:
                        out.append(f"[{'下文' if zh else 'below'}](#{sec})")
                    else:
                        zh_h, en_h = s_rng.choice(ch.free)
                        if zh:
                            out.append(f"[{zh_h}](#{quote(self.slug(zh_h))})")
                        else:
                            out.append(f"[{en_h}](#{self.slug(en_h)})")
                elif r < 0.90:
                    n_ = s_rng.randint(1, 999)
                    out.append(f"[{'原始公告' if zh else 'the original announcement'}]"
                               f"(https://example.org/news/{n_}?lang={lang}#top)")
                elif r < 0.94:
                    out.append(f"<https://example.com/archive/{s_rng.randint(1, 99)}>")
                else:
                    out.append(f"[{'写信给编辑' if zh else 'write to the editor'}](mailto:editor@example.org)")
            return out

        blocks.append(self.paragraph(p_rng, lang, [*snippets(2), self.cite(s_rng, lang)]))
        if ch.idx % 3 == 0:
            blocks.append(self.paragraph(p_rng, lang, snippets(1)))
        defs: list[str] = []
        free_at = s_rng.sample(range(len(ch.sections)), 2)
        for si, (sec_id, h_zh, h_en) in enumerate(ch.sections):
            blocks.append(f"## {h_zh if zh else h_en} {{#{sec_id}}}")
            blocks.append(self.paragraph(p_rng, lang, [*snippets(s_rng.randint(1, 3)), self.cite(s_rng, lang)]))
            extra = s_rng.randrange(9)
            if extra == 0:
                card = events[s_rng.randrange(len(events))]
                blocks.append(f"![[{card.ident}]]")
            elif extra == 1:
                rows = []
                for _ in range(3):
                    card = events[s_rng.randrange(len(events))]
                    link = self.card_link(s_rng, host, lang, card, False)
                    rows.append(f"| {card.date} | {self.wiki(s_rng, lang, card, True, table=True)} | {link} |")
                head = "| 日期 | 事件 | 卡片 |" if zh else "| Date | Event | Card |"
                blocks.append(head + "\n|---|---|---|\n" + "\n".join(rows))
            elif extra == 2:
                blocks.append(CODE_BLOCK_ZH if zh else CODE_BLOCK_EN)
            elif extra == 3:
                fig = s_rng.randint(1, 6)
                alt = f"图 {fig}" if zh else f"Figure {fig}"
                title = f' "{alt}"' if s_rng.random() < 0.5 else ""
                blocks.append(f"![{alt}]({self.rel(host, f'manuscript/assets/fig-{fig}.png')}{title})")
            elif extra == 4:
                items = snippets(3)
                blocks.append("\n".join(f"- {x}" for x in items))
            elif extra == 5:
                label = f"src-{sec_id}"
                tgt = other_chapter()
                url = self.rel(host, tgt.path) + f"#{tgt.sections[0][0]}"
                defs.append(f'[{label}]: {url} "{tgt.title_zh if zh else tgt.title_en}"')
                defs.append(f"[archive-{sec_id}]: https://web.example.org/{ch.idx}/{sec_id}")
                blocks.append(self.paragraph(p_rng, lang, [f"[{'前文' if zh else 'earlier'}][{label}]",
                                                           f"[archive-{sec_id}][]"]))
            elif extra == 6:
                blocks.append(("这里的写法是 `[[id]]` 链接卡片，`![[id]]` 嵌入卡片，`[文字](nope.md)` 是相对链接，"
                               "`[@key]` 是引用。") if zh else
                              ("Here `[[id]]` links a card, `![[id]]` embeds one, `[text](nope.md)` is a "
                               "relative link and `[@key]` a citation."))
                blocks.append(CODE_BLOCK_PY)
            elif extra == 7:
                card = cards[s_rng.randrange(len(cards))]
                blocks.append(("!!! note \"注\"\n    " if zh else "!!! note \"Note\"\n    ")
                              + self.paragraph(p_rng, lang, [self.wiki(s_rng, lang, card, False)], 2))
            else:
                blocks.append(self.paragraph(p_rng, lang, []))
                blocks.append(INDENTED_CODE)
            if si in free_at:
                zh_h, en_h = ch.free[free_at.index(si)]
                blocks.append(f"## {zh_h if zh else en_h}")
                blocks.append(self.paragraph(p_rng, lang, snippets(s_rng.randint(1, 2))))
                if s_rng.random() < 0.3:
                    blocks.append("### " + ("补充" if zh else "Addendum"))
                    blocks.append(self.paragraph(p_rng, lang, [], 2))
        # One more embed and a closing list of links.
        card = cards[s_rng.randrange(len(cards))]
        blocks.append("本章最重要的一张卡片：" if zh else "The most important card of this chapter:")
        blocks.append(f"![[{card.ident}]]")
        if defs:
            blocks.append("\n".join(defs))
        return self._assemble(host, blocks, lang, s_rng)

    def _assemble(self, host: str, blocks: list[str], lang: str, rng: random.Random) -> str:
        """Insert the defects planned for HOST between blocks, then join; record lines."""
        planned = self.host_defects.get(host) if self.defects_on else None
        body_start = 1
        while body_start < len(blocks) and (blocks[body_start - 1].startswith("---") or
                                            blocks[body_start - 1].startswith("# ")):
            body_start += 1
        items: list[object] = list(blocks)
        if planned:
            d_rng = random.Random(f"{self.seed}-d-{host}")
            for d in planned:
                pos = d_rng.randint(body_start, len(items))
                items.insert(pos, d)
        out: list[str] = []
        line = 1
        for item in items:
            if isinstance(item, Defect):
                text = self.defect_block(item, lang)
                item.line = line
            else:
                text = item  # type: ignore[assignment]
            out.append(text)
            line += text.count("\n") + 2
        return "\n\n".join(out) + "\n"

    # -- cards -----------------------------------------------------------------------

    def card_texts(self, card: Card) -> tuple[str, str | None]:
        rng = random.Random(f"{self.seed}-c-{card.kind}-{card.idx}")
        d = self.card_defects.get(card.path) if self.defects_on else None
        fm: list[str] = []
        bib = self.book.bib
        if card.kind == "event":
            events = self.book.events
            fm.append(f"event_id: {card.ident}")
            date_line = len(fm)
            fm.append(f"date: {card.date}")
            fm.append(f"title: {card.title_zh}")
            fm.append(f"title_en: \"{card.title_en}\"")
            org = ORGS[card.org]
            fm.append(f"organization: {org[0]}")
            if org[0] != org[1]:
                fm.append(f"organization_en: {org[1]}")
            fm.append(f"event_type: {EVENT_NOUNS[card.etype][2]}")
            fm.append(f"significance_level: {rng.choice(SIGNIFICANCE)}")
            r = rng.random()
            sources = rng.sample(bib, rng.randint(1, 3))
            if r < 0.2:
                status = "verified"
                sources = [bib[rng.randrange(10)], *[s for s in sources if s.credibility != 1][:1]]
            else:
                status = rng.choice(["reported", "reported", "reported", "single_source",
                                     "partially_verified", "disputed", "unverified"])
            keys = list(dict.fromkeys(s.key for s in sources))
            fm.append(f"verification_status: {status}")
            fm.append(f"sources: [{', '.join(keys)}]")
            fm.append(f"tags: [{', '.join(rng.sample(TAGS, rng.randint(1, 4)))}]")
            if not card.reserved:
                earlier = [e for e in events[max(0, card.idx - 40):card.idx]
                           if not e.reserved and e.key <= card.key]
                later = [e for e in events[card.idx + 1:card.idx + 40] if not e.reserved and e.key >= card.key]
                conns: list[str] = []
                if earlier and rng.random() < 0.8:
                    causes = rng.sample(earlier, min(len(earlier), rng.randint(1, 2)))
                    conns.append(f"  - enabled_by: [{', '.join(e.ident for e in causes)}]")
                if later and rng.random() < 0.5:
                    effects = rng.sample(later, min(len(later), rng.randint(1, 2)))
                    conns.append(f"  - enables: [{', '.join(e.ident for e in effects)}]")
                if rng.random() < 0.3:
                    conns.append(f"  - demonstrates: {rng.choice(TOPICS)[2]}-at-scale")
                if conns:
                    fm.append("causal_connections:")
                    fm.extend(conns)
            all_concepts = self.book.concepts
            concepts = [c.ident for c in rng.sample(all_concepts, min(len(all_concepts), rng.randint(1, 3)))]
            tc_line = len(fm)
            if d is not None and d.kind == "unknown-concept":
                concepts.append(d.target)
            fm.append(f"technical_concepts: [{', '.join(concepts)}]")
            fm.append(f"chapter_id: {rng.choice(self.book.chapters).part}")
            if d is not None and d.kind == "bad-date":
                # Unquoted YYYY-02-30 is what YAML itself reads as a (bad) timestamp.
                bad = [f"{card.date[:4]}-02-30", f"{card.date[:4]}/03/15", f"\"{card.date[:4]}-13\"",
                       "Spring 1987", f"\"{card.date[:4]}-02-30\"", f"{card.date[:4]}-13-01"][(d.k - 1) % 6]
                fm[date_line] = f"date: {bad}"
                d.line = date_line + 2
            if d is not None and d.kind == "unknown-concept":
                d.line = tc_line + 2
        else:
            if card.explicit_id:
                fm.append(f"concept_id: {card.ident}")
            if card.name_fields:
                fm.append(f"concept_name_zh: {card.title_zh}")
                fm.append(f"concept_name_en: \"{card.title_en}\"")
            else:
                fm.append(f"title: {card.title_zh}")
                fm.append(f"title_en: \"{card.title_en}\"")
            concepts = self.book.concepts
            rel_ = [c.ident for c in rng.sample(concepts, min(len(concepts), rng.randint(0, 3))) if c is not card]
            if rel_:
                fm.append(f"related_concepts: [{', '.join(rel_)}]")
            fm.append(f"introduced: {rng.randint(1943, 2023)}")
            fm.append(f"sources: [{', '.join(s.key for s in rng.sample(bib, rng.randint(1, 3)))}]")
            fm.append(f"tags: [{', '.join(rng.sample(TAGS, rng.randint(1, 3)))}]")
        if d is not None and d.kind == "unknown-field":
            d.line = len(fm) + 2
            fm.append(f"{d.target}: https://example.org/source")
        zh_text = self._card_body(card, "zh", fm, rng)
        en_text = None
        if card.translated:
            en_fm = [f"title: \"{card.title_en}\""]
            if rng.random() < 0.5:
                en_fm.append(f"translated_from: \"{fingerprint(zh_text)}\"")
            en_text = self._card_body(card, "en", en_fm, rng)
        return zh_text, en_text

    def _card_body(self, card: Card, lang: str, fm: list[str], rng: random.Random) -> str:
        zh = lang == "zh"
        host = card.path if zh else card.en_path
        s_rng = random.Random(f"{self.seed}-cs-{card.kind}-{card.idx}")
        p_rng = random.Random(f"{self.seed}-cp-{card.kind}-{card.idx}-{lang}")
        title = card.title_zh if zh else card.title_en
        blocks = ["---\n" + "\n".join(fm) + "\n---", f"# {title}"]
        live = self.live_cards
        chapters = self.book.chapters

        def card_ref() -> str:
            other = live[s_rng.randrange(len(live))]
            if s_rng.random() < 0.5:
                return f"[[{other.ident}]]"
            # Cards may have no translation: only explicit ids are safe as anchors.
            return self.card_link(s_rng, host, lang, other, s_rng.random() < 0.3)

        def chapter_ref() -> str:
            ch = chapters[s_rng.randrange(len(chapters))]
            href = self.rel(host, ch.path)
            if s_rng.random() < 0.5:
                href += "#" + ch.sections[s_rng.randrange(len(ch.sections))][0]
            return f"[{ch.title_zh if zh else ch.title_en}]({href})"

        blocks.append(self.paragraph(p_rng, lang, [self.cite(s_rng, lang)], 3))
        heads = (("背景", "经过", "意义", "相关链接") if card.kind == "event" else ("是什么", "历史", "相关条目"))
        heads_en = (("Background", "What happened", "Why it matters", "Links") if card.kind == "event"
                    else ("What it is", "History", "Related"))
        for i, anchor in enumerate(card.anchors[:-1]):
            blocks.append(f"## {heads[i] if zh else heads_en[i]} {{#{anchor}}}")
            blocks.append(self.paragraph(p_rng, lang, [card_ref(), self.cite(s_rng, lang)]
                                         + ([chapter_ref()] if s_rng.random() < 0.5 else [])))
        blocks.append(f"## {heads[-1] if zh else heads_en[-1]} {{#{card.anchors[-1]}}}")
        items = [f"{'相关' if zh else 'Related'}：{card_ref()}" if zh else f"Related: {card_ref()}",
                 f"{'章节' if zh else 'Chapter'}：{chapter_ref()}" if zh else f"Chapter: {chapter_ref()}"]
        if s_rng.random() < 0.2:
            items.append(f"![{'示意图' if zh else 'diagram'}]({self.rel(host, 'manuscript/assets/fig-1.png')})")
        blocks.append("\n".join(f"- {x}" for x in items))
        return self._assemble(host, blocks, lang, s_rng)

    # -- the rest --------------------------------------------------------------------

    def index_text(self, lang: str) -> str:
        zh = lang == "zh"
        host = "manuscript/index.md" if zh else "manuscript/index.en.md"
        lines = ["# 合成之书" if zh else "# A synthetic book", "",
                 ("这是一本由 benchmarks/make_book.py 生成的书，用来测量 Chronicle 的速度与准确度。" if zh else
                  "This book was generated by benchmarks/make_book.py to measure Chronicle's speed and accuracy."),
                 "", "## 各部分 {#parts}" if zh else "## Parts {#parts}", ""]
        for folder, ch in self.book.first_of_folder.items():
            lines.append(f"- [[{folder}]]：[{ch.title_zh if zh else ch.title_en}]({self.rel(host, ch.path)})")
        return "\n".join(lines) + "\n"

    def bib_text(self) -> str:
        head = ("% Synthetic bibliography made by benchmarks/make_book.py.\n"
                "% credibility: 1 primary, 2 faithful copy, 3 secondary, 4 unreliable.\n\n")
        return head + "\n\n".join(e.text for e in self.book.bib) + "\n"

    def ids(self) -> dict[str, object]:
        out: dict[str, dict[str, object]] = {}
        for ch in self.book.chapters:
            entry = {"path": ch.path, "title": {"zh": ch.title_zh, "en": ch.title_en}}
            if ch.page_id:
                out[ch.page_id] = entry
            if ch.first_in_folder:
                out[ch.part] = entry
        for c in self.book.events + self.book.concepts:
            out[c.ident] = {"path": c.path, "title": {"zh": c.title_zh, "en": c.title_en}}
        return {"ids": out, "citations": {e.key: e.label for e in self.book.bib}}

    def generate(self) -> dict[str, object]:
        t0 = time.perf_counter()
        self.plan()
        if self.defects_on:
            self.plan_defects()
        for sub in ("manuscript/assets", "knowledge/events", "knowledge/concepts"):
            (self.out / sub).mkdir(parents=True, exist_ok=True)
        self.write("mkdocs.yml", mkdocs_yml())
        self.write("manuscript/index.md", self.index_text("zh"))
        self.write("manuscript/index.en.md", self.index_text("en"))
        for i in range(1, 7):
            data = png(24 + 4 * i, 16 + 2 * i, (40 * i % 256, 200 - 20 * i, 90 + 10 * i))
            (self.out / f"manuscript/assets/fig-{i}.png").write_bytes(data)
        for ch in self.book.chapters:
            zh_text = self.chapter_text(ch, "zh")
            self.write(ch.path, zh_text)
            self.write(ch.en_path, self.chapter_text(ch, "en", zh_text))
        for card in self.book.events + self.book.concepts:
            zh_text, en_text = self.card_texts(card)
            self.write(card.path, zh_text)
            if en_text is not None:
                self.write(card.en_path, en_text)
        self.write("knowledge/references.bib", self.bib_text())
        self.write("ids.json", json.dumps(self.ids(), ensure_ascii=False, indent=1))
        manifest = []
        if self.defects_on:
            for d in self.defects:
                assert d.line > 0, d
                item = {"file": d.host, "line": d.line, "kind": d.kind, "target": d.target}
                if d.form:
                    item["form"] = d.form
                manifest.append(item)
            manifest.sort(key=lambda x: (x["file"], x["line"]))
            self.write("defects.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        return {
            "chapters": len(self.book.chapters), "events": len(self.book.events),
            "concepts": len(self.book.concepts), "files": self.files_written,
            "megabytes": round(self.bytes_written / 1e6, 1), "defects": len(manifest),
            "seconds": round(time.perf_counter() - t0, 2),
        }


def fingerprint(text: str) -> str:
    """What a translation's `translated_from` records: SHA-256 of the original, 12 hex digits."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A tiny solid-colour PNG."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    raw = row * height
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


MARKDOWN_EXTENSIONS = """markdown_extensions:
  - attr_list
  - md_in_html
  - admonition
  - tables
  - footnotes
  - pymdownx.details
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format
  - toc:
      permalink: true
      slugify: !!python/object/apply:pymdownx.slugs.slugify
        kwds:
          case: lower
"""


def mkdocs_yml(*, docs_dir: str = "manuscript", chronicle: bool = True, validation: bool = False,
               site_dir: str | None = None) -> str:
    """The book's mkdocs.yml (the structure of the sample book's, without nav).

    chronicle=False drops the plugin; validation=True turns on all of MkDocs' own link
    validation as warnings (for comparing with `mkdocs build --strict`).
    """
    parts = [
        "site_name: 合成之书",
        "site_description: 一本用来测量 Chronicle 的合成双语书",
        "site_url: https://example.org/synthetic-book/",
        f"docs_dir: {docs_dir}",
    ]
    if site_dir:
        parts.append(f"site_dir: {site_dir}")
    parts.append("""
theme:
  name: material
  language: zh
  features:
    - navigation.sections
    - navigation.prune
    - navigation.top
    - search.highlight
  palette:
    primary: indigo
""")
    parts.append(MARKDOWN_EXTENSIONS)
    if validation:
        parts.append("""validation:
  links:
    not_found: warn
    anchors: warn
    unrecognized_links: warn
""")
    parts.append("""plugins:
  - search:
      lang:
        - zh
        - en
      separator: '[\\s\\u200b\\-_,:!=\\[\\]()"`/]+|\\.(?!\\d)|&[lg]t;|(?!\\b)(?=[A-Z][a-z])'""")
    if chronicle:
        parts.append("""  - chronicle:
      knowledge_dir: knowledge""")
    parts.append("""  - i18n:
      docs_structure: suffix
      fallback_to_default: true
      reconfigure_material: true
      reconfigure_search: true
      languages:
        - locale: zh
          name: 中文
          default: true
          build: true
        - locale: en
          name: English
          build: true
          site_name: A synthetic book
          site_description: A synthetic bilingual book for measuring Chronicle
""")
    return "\n".join(parts)


def make_book(out: Path | str, chapters: int, cards: int, defects: bool = False, seed: int = 1,
              per_kind: int | None = None, clean: bool = True) -> dict[str, object]:
    """Generate the book into OUT (emptied first when CLEAN); return a summary."""
    out = Path(out)
    if clean and out.exists():
        for name in ("manuscript", "knowledge", "site", ".site-src", "mkdocs.yml", "defects.json", "ids.json"):
            p = out / name
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            elif p.exists() or p.is_symlink():
                p.unlink()
    out.mkdir(parents=True, exist_ok=True)
    return Generator(out, chapters, cards, defects, seed, per_kind).generate()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="folder to write the book into (its book files are replaced)")
    ap.add_argument("--chapters", type=int, default=100, help="number of chapters (default 100)")
    ap.add_argument("--cards", type=int, default=200, help="number of cards, 2/3 events (default 200)")
    ap.add_argument("--defects", action="store_true", help="inject known defects; write OUT/defects.json")
    ap.add_argument("--defects-per-kind", type=int, default=None,
                    help="defects of each kind (default: chapters/10, between 1 and 10)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    summary = make_book(args.out, args.chapters, args.cards, args.defects, args.seed, args.defects_per_kind)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
