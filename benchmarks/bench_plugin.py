#!/usr/bin/env python3
"""The chronicle plugin's share of a build: `mkdocs build` with the plugin vs. without it.

Goal (the issue): a build with the plugin takes at most 1.10x the time of the same book
built without it.

It generates a synthetic book (benchmarks/make_book.py; by default 300 chapters in both
languages and 600 cards, no defects) and builds it --runs times each way, interleaved:

(a) with the plugin: the book as generated (docs_dir manuscript/, the plugin mounts
    knowledge/, resolves ids, embeds cards, formats citations, checks every reference,
    adds the timeline, concept index, causal graph and translation status pages);
(b) without it: a converted copy, a plain MkDocs project whose docs_dir holds
    manuscript/ and knowledge/ as subfolders (so the relative links the author wrote
    stay valid), where every ``[[id]]``/``[[id|text]]``/``[[id#anchor]]`` and
    ``![[id]]`` is replaced by a plain relative Markdown link to the target (title in
    the page's language, from the id index the generator wrote), and every ``[@key]``
    by links to a plain references page. Same theme, markdown extensions, i18n and
    search; no chronicle.

So (a)/(b) is what the plugin costs on top of MkDocs, Material, i18n and search for
the same sources, including the content only it produces (card boxes, reference
lists, card footers, the generated pages). Times are `mkdocs build` (not --strict)
wall-clock of a subprocess, with its peak RSS (os.wait4); medians are printed. The
machine is shared and noisy: read the ratio as rough, and rerun with more --runs.

Run (from the project root)::

    python benchmarks/bench_plugin.py                     # 300 chapters, 3 runs each
    python benchmarks/bench_plugin.py --chapters 20 --cards 40 --runs 1

Prints figures; never fails on a time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import make_book  # noqa: E402
from bench_check import measure  # noqa: E402

_PROTECT = re.compile(
    r"(?ms)^(?P<fence>```|~~~)[^\n]*\n.*?^(?P=fence)[ \t]*$"  # fenced code
    r"|`[^`\n]+`"  # code spans
    + "|" + re.escape(make_book.INDENTED_CODE)  # the generator's indented code block
)
_EMBED = re.compile(r"(?m)^!\[\[([^\]\n]+)\]\][ \t]*$")
_WIKI = re.compile(r"\[\[([^\[\]\n]+)\]\]")
_CITE = re.compile(r"\[(@[^\[\]\n]+)\]")


class Converter:
    """Rewrites chronicle syntax as plain Markdown links, from the generator's id index."""

    def __init__(self, index: dict) -> None:
        self.ids: dict[str, dict] = index["ids"]
        self.labels: dict[str, str] = index["citations"]

    @staticmethod
    def rel(host: str, target: str) -> str:
        import posixpath

        return posixpath.relpath(target, posixpath.dirname(host) or ".")

    def _link(self, host: str, lang: str, inner: str) -> str | None:
        inner = inner.replace("\\|", "|")
        target, _, text = inner.partition("|")
        ident, _, anchor = target.strip().partition("#")
        entry = self.ids.get(ident.strip())
        if entry is None:
            return None
        text = text.strip() or entry["title"].get(lang) or entry["title"]["zh"]
        href = self.rel(host, entry["path"]) + (f"#{anchor.strip()}" if anchor.strip() else "")
        return f"[{text}]({href})"

    def _cite(self, host: str, inner: str) -> str | None:
        keys = [k.strip()[1:] for k in inner.split(";")]
        if not all(k in self.labels for k in keys):
            return None
        ref = self.rel(host, "references.md")
        return "(" + "; ".join(f"[{self.labels[k]}]({ref}#{k})" for k in keys) + ")"

    def convert(self, text: str, host: str, lang: str) -> str:
        out: list[str] = []
        pos = 0
        for m in _PROTECT.finditer(text):
            out.append(self._plain(text[pos:m.start()], host, lang))
            out.append(m.group(0))
            pos = m.end()
        out.append(self._plain(text[pos:], host, lang))
        return "".join(out)

    def _plain(self, text: str, host: str, lang: str) -> str:
        if "[" not in text:
            return text
        text = _EMBED.sub(lambda m: self._link(host, lang, m.group(1)) or m.group(0), text)
        text = _WIKI.sub(lambda m: self._link(host, lang, m.group(1)) or m.group(0), text)
        return _CITE.sub(lambda m: self._cite(host, m.group(1)) or m.group(0), text)


def make_plain(book: Path, plain: Path) -> int:
    """The book as a plain MkDocs project in PLAIN; returns the number of Markdown files."""
    if plain.exists():
        shutil.rmtree(plain)
    docs = plain / "docs"
    conv = Converter(json.loads((book / "ids.json").read_text(encoding="utf-8")))
    count = 0
    for tree in ("manuscript", "knowledge"):
        for src in sorted((book / tree).rglob("*")):
            if src.is_dir() or src.name.startswith(".") or src.suffix == ".bib":
                continue
            rel = src.relative_to(book).as_posix()
            dst = docs / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.suffix == ".md":
                lang = "en" if src.name.endswith(".en.md") else "zh"
                dst.write_text(conv.convert(src.read_text(encoding="utf-8"), rel, lang), encoding="utf-8")
                count += 1
            else:
                shutil.copyfile(src, dst)
    for suffix, title in (("", "# 参考文献"), (".en", "# References")):
        lines = [title, ""]
        for key, label in sorted(conv.labels.items()):
            lines.append(f'- <a id="{key}"></a>{label}: *{key}*')
        (docs / f"references{suffix}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (plain / "mkdocs.yml").write_text(make_book.mkdocs_yml(docs_dir="docs", chronicle=False), encoding="utf-8")
    return count


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--chapters", type=int, default=300)
    ap.add_argument("--cards", type=int, default=600)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, help="make both projects here and keep them (default: a temporary folder)")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="chronicle-bench-plugin-"))
    root = (args.out or tmp).resolve()
    book, plain, scratch = root / "book", root / "plain", tmp / "scratch"
    scratch.mkdir()
    bindir = Path(sys.executable).parent
    mkdocs = [str(bindir / "mkdocs")] if (bindir / "mkdocs").exists() else [sys.executable, "-m", "mkdocs"]
    try:
        print(f"generating the book in {book} ...", flush=True)
        info = make_book.make_book(book, args.chapters, args.cards, defects=False, seed=args.seed)
        n_plain = make_plain(book, plain)
        variants = {
            "with chronicle": ([*mkdocs, "build", "-d", str(tmp / "site-with")], book),
            "without (plain)": ([*mkdocs, "build", "-d", str(tmp / "site-without")], plain),
        }
        results: dict[str, list] = {name: [] for name in variants}
        pages: dict[str, int] = {}
        for i in range(args.runs):
            for name, (cmd, cwd) in variants.items():
                site = Path(cmd[-1])
                shutil.rmtree(site, ignore_errors=True)
                run = measure(cmd, cwd, scratch)
                print(f"  run {i + 1}/{args.runs}  {name:<16} {run.wall:8.2f} s {run.rss_mb:8.1f} MB  exit {run.rc}",
                      flush=True)
                if run.rc != 0:
                    print(run.stderr[-3000:])
                    return 1
                results[name].append(run)
                pages[name] = sum(1 for _ in site.rglob("index.html"))
        print()
        print(f"Book: {info['chapters']} chapters (zh + en), {info['events']} event and {info['concepts']} concept "
              f"cards; {info['files']} files, {info['megabytes']} MB ({n_plain} Markdown files in the plain copy)")
        print(f"Runs: {args.runs} of each, interleaved; `mkdocs build`, figures are medians. "
              f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
        print()
        header = f"{'build':<18}{'wall s':>9}{'cpu s':>9}{'peak MB':>10}{'HTML pages':>12}   all runs (wall s)"
        print(header)
        print("-" * len(header))
        med, cpu = {}, {}
        for name, runs in results.items():
            med[name] = statistics.median(r.wall for r in runs)
            cpu[name] = statistics.median(r.cpu for r in runs)
            rss = statistics.median(r.rss_mb for r in runs)
            print(f"{name:<18}{med[name]:>9.2f}{cpu[name]:>9.2f}{rss:>10.1f}{pages[name]:>12}   "
                  + ", ".join(f"{r.wall:.2f}" for r in runs))
        ratio = med["with chronicle"] / med["without (plain)"]
        # Each run pairs a build with and one without, back to back: the median of those
        # ratios cancels slow phases of a shared machine better than a ratio of medians.
        paired = statistics.median(
            a.wall / b.wall for a, b in zip(results["with chronicle"], results["without (plain)"], strict=True)
        )
        print()
        print(f"ratio with / without: {ratio:.2f}x wall (medians), {paired:.2f}x (median of paired runs), "
              f"{cpu['with chronicle'] / cpu['without (plain)']:.2f}x CPU time   (goal: at most 1.10x)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # scratch and sites (and the book, unless --out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
