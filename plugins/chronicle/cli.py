"""`chronicle`: check a book without building it; print translation status."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from . import confine, layouts, parallel, verdict
from .problems import Problem
from .settings import ConfigError, Settings, load_settings, validate_pending

if TYPE_CHECKING:
    from .cache import FactCache
    from .walk import Seen


def _escape_gh(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_text(problems: list[Problem], summary: dict[str, int]) -> str:
    lines = [p.text() for p in problems]
    unchanged = f" ({summary['unchanged']} unchanged since the last check)" if summary.get("unchanged") else ""
    lines.append(
        f"{summary['files']} files checked{unchanged}: {summary['errors']} error(s), {summary['warnings']} warning(s)"
    )
    return "\n".join(lines)


_GH_LEVEL = {"info": "notice"}  # GitHub's annotation levels: error, warning, notice


def format_github(problems: list[Problem], summary: dict[str, int]) -> str:
    lines = []
    for p in problems:
        title = _escape_gh(f"chronicle {p.code}", prop=True)
        msg = _escape_gh(p.message + (f" ({p.hint})" if p.hint else ""))
        level = _GH_LEVEL.get(p.severity, p.severity)
        lines.append(
            f"::{level} file={_escape_gh(p.file, True)},line={p.line},col={p.column},title={title}::{msg}"
        )
    lines.append(f"{summary['errors']} error(s), {summary['warnings']} warning(s)")
    return "\n".join(lines)


def format_json(problems: list[Problem], summary: dict[str, int]) -> str:
    """One problem a line: diff-friendly, and written by json's C encoder (an indented dump
    goes through its Python encoder, five times slower on thousands of problems)."""
    import json  # json compiles its scanner when imported: only what asks for JSON pays for it

    encode = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps would build one a problem
    rows = ",\n".join("  " + encode(p.to_dict()) for p in problems)
    body = f"[\n{rows}\n]" if rows else "[]"
    return f'{{"problems": {body},\n "summary": {json.dumps(summary)}}}'


def summarize(problems: list[Problem], files: int, unchanged: int = 0) -> dict[str, int]:
    """Counts; UNCHANGED is how many files were as the last check saw them (cache hits)."""
    counts = Counter(p.severity for p in problems)
    return {"files": files, "errors": counts["error"], "warnings": counts["warning"], "unchanged": unchanged}


def _fail(message: str, code: int) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(code)


@contextlib.contextmanager
def _reported(command: str = "chronicle", refusal: type[Exception] | None = None,
              refusal_exit: int = 2) -> Iterator[None]:
    """What goes wrong with the book, one line on stderr and an exit code, never a traceback:
    its mkdocs.yml (2), a file that cannot be read (2), a REFUSAL of COMMAND (REFUSAL_EXIT)."""
    refusals: tuple[type[Exception], ...] = (refusal,) if refusal is not None else ()
    try:
        yield
    except ConfigError as exc:
        _fail(f"chronicle: {exc}", 2)
    except refusals as exc:
        _fail(f"{command}: refused: {exc}", refusal_exit)
    except OSError as exc:
        _fail(f"{command}: cannot read the book: {exc}", 2)


# One book in several MkDocs projects (one per language): see layouts.py.
_CONFIG_FILES = click.option(
    "--config-file", "-f", "config_files", multiple=True, type=click.Path(dir_okay=False),
    help="The book's mkdocs.yml (instead of PATH); again for each project of another language "
         "(e.g. -f mkdocs.yml -f en/mkdocs.yml), whose files are that language's translations.")


@click.group()
@click.version_option(package_name="chronicle")
def main() -> None:
    """Chronicle: a bilingual book from Markdown."""


@main.command("init")
@click.argument("directory", default=".", type=click.Path(path_type=Path))
@click.option("--title", default=None, help="The book's title, in Chinese (site name, home page)  [default: 我的书].")
@click.option("--title-en", default=None, help="Its English title  [default: --title, or My book].")
def init_command(directory: Path, title: str | None, title_en: str | None) -> None:
    """Start a new bilingual book in DIRECTORY (created if missing): it builds with `mkdocs build
    --strict` at once. Nothing is overwritten: if any file it would write exists, it writes nothing."""
    import shlex

    from .init import DEFAULT_TITLE, InitError, init_book

    try:
        written = init_book(directory, title if title is not None else DEFAULT_TITLE, title_en)
    except InitError as exc:
        click.echo(f"chronicle: {exc}", err=True)
        sys.exit(2)
    except OSError as exc:
        click.echo(f"chronicle: cannot write the book: {exc}", err=True)
        sys.exit(2)
    click.echo(f"wrote {len(written)} files in {directory}:")
    for rel in written:
        click.echo(f"  {rel}")
    where = "" if directory.resolve() == Path.cwd().resolve() else f"cd {shlex.quote(str(directory))} && "
    click.echo(f"next: {where}mkdocs serve")


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="Output format.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--external", is_flag=True, help="Also fetch external http(s) URLs (concurrently).")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Seconds per external URL.")
@click.option("--no-cache", is_flag=True,
              help="Read every file again, and leave the cache (plugin option cache_dir) alone.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0,
              help="Processes to read files and check references in [default: one per CPU not busy].")
@_CONFIG_FILES
def check(path: str, fmt: str, strict: bool, external: bool, timeout: float, no_cache: bool, jobs: int,
          config_files: tuple[str, ...]) -> None:
    """Validate every reference of the book rooted at PATH (the folder with mkdocs.yml)."""
    # A short-lived process that builds ~10^5 small objects and frees nothing: the cyclic
    # collector would only walk them, again and again (a quarter of a warm run).
    gc.disable()
    with _reported():
        settings = load_settings(path, validate=False, config_files=config_files)
        replayed, seen = verdict.replay(settings) if not (no_cache or external) else (None, None)
        if replayed is not None:
            problems, files = replayed
            summary = summarize(problems, files, files)
        else:
            problems, summary = _check(settings, no_cache, external, timeout, jobs, seen)
    if fmt == "json":
        click.echo(format_json(problems, summary))
    elif fmt == "github":
        click.echo(format_github(problems, summary))
    else:
        click.echo(format_text(problems, summary))
    failing = summary["errors"] + (summary["warnings"] if strict else 0)
    _exit(1 if failing else 0)


def _check(settings: Settings, no_cache: bool, external: bool, timeout: float, jobs: int,
           seen: Seen | None) -> tuple[list[Problem], dict[str, int]]:
    """Load the book and check it; the problems as the book's files name them, and counts."""
    from . import loading

    jobs = jobs or _cpus()
    waits: list[Callable[[], None]] = []
    book = loading.load(settings, use_cache=not no_cache, jobs=jobs, seen=seen,
                        prepare=lambda store, idle: waits.append(_prepare(settings, store, idle)))
    for wait in waits:
        wait()
    if not (settings.root / settings.docs_dir).is_dir():
        # MkDocs refuses it too; checking nothing would look like a clean book.
        raise ConfigError(f"mkdocs.yml: docs_dir: '{settings.docs_dir}' is not a folder of the project")
    from .checks import check as run_checks

    problems = run_checks(book, jobs=jobs)
    if external:
        from .external import check_external

        problems = sorted(set(problems) | set(check_external(book, timeout=timeout)))
    summary = summarize(problems, len(book.docs), sum(doc.unchanged for doc in book.docs.values()))
    if settings.layout.mapped:
        problems = [layouts.real_problem(p, settings.layout) for p in problems]
    if not external:
        verdict.record(settings, book, problems)
    return problems, summary


def _prepare(settings: Settings, store: FactCache | None, idle: int) -> Callable[[], None]:
    """While other processes read files: the checks' import, and the options' validation,
    which imports MkDocs' config machinery (a tenth of a second), in a process of its own
    when a CPU is IDLE (no process reads files on it). What is returned waits for that."""
    wait = validate_pending(settings, store, elsewhere=parallel.fork_call if idle > 0 else None)
    from . import checks  # noqa: F401

    return wait


def _cpus() -> int:
    """CPUs this process may run on (a container or `taskset` may allow fewer than the machine
    has), less those other processes are running on now: a worker on a CPU that is busy only
    adds its start and its results' trip back to the time (see free_cpus)."""
    affinity = getattr(os, "sched_getaffinity", None)
    allowed = len(affinity(0)) if affinity is not None else os.cpu_count() or 1
    try:
        with open("/proc/loadavg", encoding="ascii") as fh:
            return free_cpus(allowed, fh.read())
    except OSError:  # not Linux: no instant count to be had
        return allowed


def free_cpus(allowed: int, loadavg: str) -> int:
    """ALLOWED CPUs less the tasks other than this one that are runnable now (the fourth field of
    /proc/loadavg, `running/total`, counts this process too); at least one."""
    try:
        running = int(loadavg.split()[3].split("/")[0])
    except (IndexError, ValueError):
        return allowed
    return max(1, min(allowed, allowed - (running - 1)))


def _exit(code: int) -> None:
    """Exit without tearing the book down object by object (a fifth of a warm run); the output
    is flushed first and nothing else is pending (no files open, no threads)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--no-git", is_flag=True, help="Judge staleness only by translated_from, not git history.")
@_CONFIG_FILES
def status(path: str, fmt: str, no_git: bool, config_files: tuple[str, ...]) -> None:
    """Print every page and card with the state of each translation: translated, missing or stale."""
    from . import loading
    from .status import statuses

    with _reported("chronicle status"):
        settings = load_settings(path, config_files=config_files)
        book = loading.load(settings)
        items = [layouts.real_status(s, settings.layout) for s in statuses(book, use_git=not no_git)]
    if fmt == "json":
        import json

        click.echo(json.dumps([s.__dict__ for s in items], ensure_ascii=False, indent=2))
        return
    width = max((len(s.base) for s in items), default=10)
    for s in items:
        extra = f"  ({s.reason})" if s.reason else ""
        click.echo(f"{s.base:<{width}}  {s.lang}  {s.state}{extra}")
    counts = Counter(s.state for s in items)
    click.echo(", ".join(f"{counts[k]} {k}" for k in ("translated", "missing", "stale")))


@main.command("mv")
@click.argument("old")
@click.argument("new")
@click.option("--apply", "apply_", is_flag=True, help="Make the move (without it, only print what it would do).")
@click.option("--force", is_flag=True, help="Move even if files it changes have uncommitted changes.")
@click.option("--root", "root", default=".", type=click.Path(file_okay=False),
              help="The book's folder (the one with mkdocs.yml).")
def mv(old: str, new: str, apply_: bool, force: bool, root: str) -> None:
    """Move the chapter, folder or card OLD to NEW, with its translations, and rewrite every
    reference to it: links, [[ids]] that come from its path, front matter and nav."""
    import difflib

    from . import loading, move

    with _reported("chronicle mv", move.Refusal):
        settings = load_settings(root, validate=False)
        base = settings.root
        src, dst = move.book_path(base, old), move.book_path(base, new)
        for given, rel in ((old, src), (new, dst)):
            if rel is None:
                raise move.Refusal(f"{given} is outside the book ({base})")
        book = loading.load(settings, use_cache=False, jobs=_cpus())
        plan = move.plan_move(book, src, dst)
        if plan.empty:
            for note in plan.notes:
                click.echo(note)
            if not plan.notes:
                click.echo("nothing to do")
            return
        use_git = move.git_root(base)
        if use_git and not force:
            dirty = move.uncommitted(plan)
            if dirty:
                raise move.Refusal("uncommitted changes in " + ", ".join(dirty)
                                   + ": commit or stash them first, or pass --force")
    for path, (before, after) in plan.edits.items():
        target = plan.new_path(path)
        lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                     fromfile=f"a/{path}", tofile=f"b/{target}")
        click.echo("".join(line if line.endswith("\n") else line + "\n" for line in lines), nl=False)
    for src_path, dst_path in plan.moves:
        click.echo(f"move {src_path} -> {dst_path}")
    for note in plan.notes:
        click.echo(note)
    summary = f"{len(plan.moves)} file(s) moved, {len(plan.edits)} file(s) changed"
    if not apply_:
        click.echo(f"dry run: {summary} once applied; nothing was changed (run again with --apply)")
        return
    try:
        move.apply_plan(plan, use_git=use_git)
    except OSError as exc:
        click.echo(f"chronicle mv: {exc}", err=True)
        sys.exit(1)
    click.echo(f"applied: {summary}" + (" (git mv)" if use_git else ""))


@main.command("split")
@click.argument("files", nargs=-1, required=True)
@click.option("--apply", "apply_", is_flag=True, help="Write the files (without it, only print the diff).")
@click.option("--root", "root", default=".", type=click.Path(file_okay=False),
              help="The book's folder (the one with mkdocs.yml).")
def split_command(files: tuple[str, ...], apply_: bool, root: str) -> None:
    """Split each bilingual page FILE (both languages in one file) into FILE and its English
    translation beside it: headings `中文 (English)` in two, paragraphs and list items by their
    script, code, tables, images and links in both. Prints the diff; --apply writes it."""
    import difflib

    from . import loading, move
    from . import split as split_mod

    with _reported("chronicle split", split_mod.Refusal, refusal_exit=1):
        settings = load_settings(root, validate=False)
        base = settings.root
        book = loading.load(settings, use_cache=False)
        plans = []
        for given in files:
            rel = move.book_path(base, given)
            if rel is None or not confine.is_readable(base, rel):
                raise split_mod.Refusal(f"{given} is outside the book ({base})")
            plans.append(split_mod.plan_split(book, rel))
    for plan in plans:
        for before, after, old, new in ((plan.before, plan.han, f"a/{plan.path}", f"b/{plan.path}"),
                                        ("", plan.other, "/dev/null", f"b/{plan.target}")):
            lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                         fromfile=old, tofile=new)
            click.echo("".join(line if line.endswith("\n") else line + "\n" for line in lines), nl=False)
    if not apply_:
        click.echo(f"dry run: {len(plans)} page(s) would be split; nothing was changed (run again with --apply)")
        return
    for plan in plans:
        try:
            with open(base / plan.path, "rb") as fh:
                crlf = b"\r\n" in fh.read()
            split_mod.apply_split(base, plan, crlf)
        except FileExistsError:
            click.echo(f"chronicle split: refused: {plan.target} exists: split never overwrites a file", err=True)
            sys.exit(1)
        except (OSError, confine.Outside) as exc:
            click.echo(f"chronicle split: {exc}", err=True)
            sys.exit(1)
        click.echo(f"split {plan.path} -> {plan.path}, {plan.target}")
        if bilingual_glob(settings, plan.path):
            click.echo(f"note: {plan.path} still matches the option 'bilingual'; its translation "
                       f"{plan.target} is what {plan.target.rsplit('.', 2)[-2]} readers get now")


def bilingual_glob(settings: Settings, path: str) -> bool:
    from .bilingual import matches

    docs = settings.docs_dir + "/"
    return path.startswith(docs) and matches(settings.bilingual, path[len(docs):])


@main.command("schema")
@click.argument("path", default=".", type=click.Path(file_okay=False))
@click.option("--kind", type=click.Choice(["all", "event", "concept"]), default="all", show_default=True,
              help="Print the schema of one kind of card only.")
def schema_command(path: str, kind: str) -> None:
    """Print the card schema in effect (built in, plus the book's `schema:` in mkdocs.yml) as
    JSON Schema, for an editor to validate card front matter as you type."""
    from .schema import json_schema

    with _reported():
        settings = load_settings(path)
    doc = json_schema(settings.schema, settings.languages)
    if kind != "all":
        doc = {"$schema": doc["$schema"], **doc["$defs"][kind]}
    import json

    click.echo(json.dumps(doc, ensure_ascii=False, indent=2))


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
def fingerprint(files: tuple[str, ...]) -> None:
    """Print the translated_from value of each default-language FILE (record it in its translation)."""
    from .book import fingerprint as fp

    for name in files:
        try:
            text = open(name, encoding="utf-8-sig").read()  # as MkDocs and the checker read it
        except (OSError, UnicodeDecodeError) as exc:
            click.echo(f"chronicle: {exc}", err=True)
            sys.exit(2)
        click.echo(f'{name}: translated_from: "{fp(text)}"')


if __name__ == "__main__":  # pragma: no cover
    main()
