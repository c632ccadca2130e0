#!/usr/bin/env python3
"""Seconds from saving a file to `mkdocs serve` serving the new HTML, with chronicle and without.

For each book (the sample book, and books from benchmarks/make_book.py of --chapters), it starts
two servers, one after the other, in the same run:

- "chronicle": `mkdocs serve` of the book (incremental: only the pages a save affects);
- "plain": `mkdocs serve` of the same files without the plugin (the generated books converted
  as benchmarks/bench_plugin.py converts them, [[id]] links made plain links; the sample book's
  trees copied under docs/ as they are), same theme, extensions, i18n and search.

and times each edit kind --runs times: "paragraph" (a new paragraph at the end of a chapter)
and "card title" (a card's `title:` changed). The clock starts at the write and stops when the
edited page, polled every 50 ms over HTTP, shows the new text; the next edit waits for the
rebuild to end. Medians are printed in a table, with the load average (the machine is shared).

Run (from the project root)::

    python benchmarks/bench_serve.py                      # sample book, 100 and 300 chapters
    python benchmarks/bench_serve.py --chapters 100 --runs 5
    python benchmarks/bench_serve.py --chapters 300 --plain-runs 3
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

import bench_plugin  # noqa: E402
import make_book  # noqa: E402
from servetools import Server, copy_book  # noqa: E402

REPO = HERE.parent
SAMPLE_CHAPTER = "manuscript/02-capabilities/what-gpt2-could-do.md"
SAMPLE_CARD = "knowledge/events/gpt2-release-2019.md"


def plain_sample(book: Path, plain: Path) -> None:
    """The sample book's files under PLAIN/docs, its mkdocs.yml without chronicle and the nav."""
    for tree in ("manuscript", "knowledge", "research"):
        shutil.copytree(book / tree, plain / "docs" / tree)
    lines, out, skipping = (book / "mkdocs.yml").read_text(encoding="utf-8").splitlines(), [], False
    for line in lines:
        if line.startswith("nav:"):
            break
        if line.startswith("  - chronicle:"):
            skipping = True
            continue
        if skipping and (line.startswith("  - ") or not line.startswith("    ")):
            skipping = False
        if not skipping:
            out.append("docs_dir: docs" if line.startswith("docs_dir:") else line)
    (plain / "mkdocs.yml").write_text("\n".join(out) + "\n", encoding="utf-8")


def first(root: Path, pattern: str) -> str:
    found = sorted(p.relative_to(root).as_posix() for p in root.glob(pattern)
                   if not p.name.endswith(".en.md") and p.name != "index.md")
    assert found, pattern
    return found[0]


def url_of(rel: str, plugin: bool) -> str:
    """The URL of the page built from REL (project-relative) in the default language."""
    if plugin and rel.startswith("manuscript/"):
        rel = rel[len("manuscript/"):]
    return rel[: -len(".md")] + "/"


def paragraph(path: Path, n: int) -> str:
    marker = f"PARA{n}X{os.getpid()}"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(f"\n\n一个新的段落 {marker}。\n")
    return marker


def card_title(path: Path, n: int) -> str:
    marker = f"卡片标题 T{n}X{os.getpid()}"
    text = path.read_text(encoding="utf-8")
    new, count = re.subn(r"(?m)^title:.*$", f"title: {marker}", text, count=1)
    assert count == 1, path
    path.write_text(new, encoding="utf-8")
    return marker


EDITS = {"paragraph": paragraph, "card title": card_title}


def measure(root: Path, chapter: str, card: str, plugin: bool, runs: int, timeout: float) -> dict[str, list[float]]:
    server = Server(root)
    times: dict[str, list[float]] = {kind: [] for kind in EDITS}
    try:
        server.wait_ready(timeout=1800)
        n = 0
        for _ in range(runs):
            for kind, edit in EDITS.items():
                n += 1
                rel = chapter if kind == "paragraph" else card
                url = url_of(rel.removeprefix("docs/"), plugin)
                before = server.builds()
                start = time.monotonic()
                marker = edit(root / rel, n).encode("utf-8")
                while True:
                    page = server.get(url)
                    if page is not None and marker in page:
                        break
                    if time.monotonic() - start > timeout:
                        raise SystemExit(f"{url}: the edit was not served after {timeout} s")
                    time.sleep(0.05)
                times[kind].append(time.monotonic() - start)
                server.wait_rebuild(before, timeout=timeout)
                time.sleep(0.3)
    finally:
        server.stop()
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--chapters", type=int, nargs="*", default=[100, 300],
                    help="generated books' sizes (cards: twice as many); none for the sample book alone")
    ap.add_argument("--no-sample", action="store_true", help="skip the sample book")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--plain-runs", type=int, help="runs of plain serve (default --runs; 0: none)")
    ap.add_argument("--timeout", type=float, default=900)
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="chronicle-bench-serve-"))
    rows: list[tuple[str, str, str, float, int]] = []
    try:
        books: list[tuple[str, Path, Path, str, str]] = []
        if not args.no_sample:
            book = copy_book(REPO, tmp / "sample" / "book")
            plain = tmp / "sample" / "plain"
            plain_sample(book, plain)
            books.append(("sample", book, plain, SAMPLE_CHAPTER, SAMPLE_CARD))
        for chapters in args.chapters:
            book, plain = tmp / f"c{chapters}" / "book", tmp / f"c{chapters}" / "plain"
            print(f"generating {chapters} chapters ...", flush=True)
            make_book.make_book(book, chapters, 2 * chapters, defects=False, seed=1)
            bench_plugin.make_plain(book, plain)
            books.append((f"{chapters} chapters", book, plain, first(book, "manuscript/*/*.md"),
                          first(book, "knowledge/events/*.md")))
        plain_runs = args.runs if args.plain_runs is None else args.plain_runs
        for name, book, plain, chapter, card in books:
            for variant, root, plugin, runs in (("chronicle", book, True, args.runs),
                                                ("plain", plain, False, plain_runs)):
                if runs == 0:
                    continue
                prefix = "" if plugin else "docs/"
                print(f"{name}: {variant} serve, {runs} runs ...", flush=True)
                times = measure(root, prefix + chapter, prefix + card, plugin, runs, args.timeout)
                for kind, found in times.items():
                    rows.append((name, kind, variant, statistics.median(found), len(found)))
                    print(f"  {kind}: {' '.join(f'{t:.2f}' for t in found)}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load = os.getloadavg()
    print(f"\nseconds from save to the new HTML served (median; load average {load[0]:.2f} {load[1]:.2f})")
    print(f"{'book':<14} {'edit':<11} {'chronicle':>10} {'plain':>10} {'ratio':>7}")
    for name in dict.fromkeys(r[0] for r in rows):
        for kind in EDITS:
            got = {r[2]: r for r in rows if r[0] == name and r[1] == kind}
            ours, plain_ = got["chronicle"], got.get("plain")
            if plain_ is None:
                print(f"{name:<14} {kind:<11} {ours[3]:>8.2f}s {'-':>9} {'-':>7}   (runs {ours[4]}/0)")
                continue
            print(f"{name:<14} {kind:<11} {ours[3]:>8.2f}s {plain_[3]:>8.2f}s {ours[3] / plain_[3]:>6.2f}x"
                  f"   (runs {ours[4]}/{plain_[4]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
