"""A check's verdict given again while nothing it was found from changed (verdict.py):
identical to a check from scratch, never stale."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import layout_books
import pytest
from conftest import MINI_BOOK, MKDOCS_YML, assert_exit_matches, check, write_book

INTRO = "manuscript/01-intro/intro.md"
VERDICT = ".chronicle-cache/verdict.marshal"

# Beside the mini book: an image and a project file outside the trees that links ask for.
MORE = {
    "manuscript/02-more/more.md": "# 更多\n\n![图](fig.png)\n\n见[笔记](../../NOTES.md)。\n",
    "manuscript/02-more/more.en.md": "# More\n\n![figure](fig.png)\n\nSee [the notes](../../NOTES.md).\n",
}
MORE["knowledge/events/evt-c.md"] = (
    "---\nevent_id: evt-c\ndate: 2019-08\ntitle: 事件丙\nmood: calm\n---\n# 事件丙\n\n一个未知的字段。\n")
CONFIG = MKDOCS_YML.replace("  - chronicle\n", "  - chronicle:\n      unknown_fields: !ENV [UNKNOWN_FIELDS, error]\n")


def _age(root: Path, seconds: float = 600) -> None:
    """Date every file back, as a checkout is by the time anyone edits it (no verdict is kept
    while a file is as new as the run: it could change again within the clock's tick)."""
    then = time.time() - seconds
    for path in root.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            os.utime(path, (then, then))


def _run(root: Path, *args: str) -> dict:
    proc = check(root, "--format", "json", *args)
    assert_exit_matches(proc)
    return json.loads(proc.stdout)


def _book(tmp_path: Path) -> Path:
    root = write_book(tmp_path / "b", {**MINI_BOOK, **MORE}, CONFIG)
    _age(root)
    return root


def test_an_unchanged_book_gets_the_verdict_again_without_a_file_read(tmp_path):
    root = _book(tmp_path)
    first = _run(root)
    assert (root / VERDICT).is_file()
    # Other content, same size and time: a run that read the file would see the new link.
    intro = root / INTRO
    st = intro.stat()
    text = intro.read_text(encoding="utf-8")
    swapped = text.replace("[[evt-a]]", "[[evt-q]]", 1)
    assert len(swapped.encode()) == st.st_size
    intro.write_text(swapped, encoding="utf-8")
    os.utime(intro, ns=(st.st_atime_ns, st.st_mtime_ns))
    # Not even the cache's facts are loaded: the verdict is all it takes.
    (root / ".chronicle-cache/facts.marshal").unlink()
    (root / ".chronicle-cache/problems.marshal").unlink()
    again = _run(root)
    assert again["problems"] == first["problems"]
    assert again["summary"] == {**first["summary"], "unchanged": first["summary"]["files"]}
    assert "unknown-id" in {p["code"] for p in _run(root, "--no-cache")["problems"]} - {
        p["code"] for p in first["problems"] if p["target"] != "evt-q"}


def test_the_verdict_is_printed_as_the_check_would_in_every_format(tmp_path):
    root = _book(tmp_path)
    for fmt in ("text", "github", "json"):
        (root / VERDICT).unlink(missing_ok=True)
        fresh = check(root, "--format", fmt)
        assert (root / VERDICT).is_file()
        replayed = check(root, "--format", fmt)
        assert replayed.returncode == fresh.returncode == 1, replayed.stderr
        if fmt == "github":
            assert replayed.stdout == fresh.stdout
        else:  # but for the count of files unchanged since the last check: all of them
            assert replayed.stdout.splitlines()[:-2] == fresh.stdout.splitlines()[:-2]
    summary = json.loads(replayed.stdout)["summary"]
    assert summary["unchanged"] == summary["files"] > 0


def _edit(root: Path) -> None:
    with open(root / INTRO, "a", encoding="utf-8") as fh:
        fh.write("\nSee [gone](missing.md).\n")


def _add_image(root: Path) -> None:
    (root / "manuscript/02-more/fig.png").write_bytes(b"\x89PNG\r\n\x1a\n")


def _add_outside_file(root: Path) -> None:
    (root / "NOTES.md").write_text("# Notes\n", encoding="utf-8")


def _add_page(root: Path) -> None:
    """A page nothing links to: only the list of files says it is there."""
    (root / "manuscript/03-new").mkdir()
    (root / "manuscript/03-new/new.md").write_text("# 新\n\n[断](nowhere.md)\n", encoding="utf-8")


def _delete_card(root: Path) -> None:
    (root / "knowledge/events/evt-b.md").unlink()


def _rename(root: Path) -> None:
    (root / "knowledge/events/evt-a.md").rename(root / "knowledge/events/evt-aa.md")


def _drop_citation(root: Path) -> None:
    bib = root / "knowledge/references.bib"
    text = bib.read_text(encoding="utf-8")
    start = text.index("@", text.index("org2019") - 20)
    bib.write_text(text[:start], encoding="utf-8")


def _new_config(root: Path) -> None:
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("!ENV [UNKNOWN_FIELDS, error]", "ignore"), encoding="utf-8")


@pytest.mark.parametrize("change", [_edit, _add_page, _add_image, _add_outside_file, _delete_card, _rename,
                                    _drop_citation, _new_config], ids=lambda f: f.__name__.strip("_"))
def test_any_change_is_checked_again(tmp_path, change: Callable[[Path], None]):
    root = _book(tmp_path)
    first = _run(root)
    assert (root / VERDICT).is_file()
    change(root)
    after = _run(root)
    assert after["problems"] == _run(root, "--no-cache")["problems"]
    assert after["problems"] != first["problems"]


def test_an_environment_variable_the_config_reads_counts(tmp_path, monkeypatch):
    root = _book(tmp_path)
    monkeypatch.setenv("UNKNOWN_FIELDS", "warning")
    first = _run(root)
    monkeypatch.setenv("UNKNOWN_FIELDS", "error")
    after = _run(root)
    assert after["summary"]["errors"] == first["summary"]["errors"] + 1
    assert after["problems"] == _run(root, "--no-cache")["problems"]


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false",
                    *args], cwd=root, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_another_history_with_the_same_files_counts(tmp_path):
    """Staleness comes from git history: the same files, committed in the other order (the
    original after its translation), make the translation stale; nothing on disk changed."""
    root = _book(tmp_path)
    original, translation = "knowledge/events/evt-a.md", "knowledge/events/evt-a.en.md"
    _git(root, "init", "-q", "-b", "fresh")
    (root / ".gitignore").write_text(".chronicle-cache/\n", encoding="utf-8")
    others = [p for p in os.listdir(root) if p not in (".git",)]
    _git(root, "add", *others)
    _git(root, "reset", "-q", "--", original, translation)
    _git(root, "commit", "-q", "-m", "book", "--date", "2020-01-01T00:00:00")
    env_dates = ("2020-01-02T00:00:00", "2020-01-03T00:00:00")
    _git(root, "add", original)
    _git(root, "commit", "-q", "-m", "original", "--date", env_dates[0])
    _git(root, "add", translation)
    _git(root, "commit", "-q", "-m", "translation", "--date", env_dates[1])
    # The other history, from the first commit, with the files left as they are.
    _git(root, "branch", "stale", "HEAD~2")
    _git(root, "symbolic-ref", "HEAD", "refs/heads/stale")
    _git(root, "reset", "-q")
    _git(root, "add", translation)
    _git(root, "commit", "-q", "-m", "translation", "--date", env_dates[0])
    _git(root, "add", original)
    _git(root, "commit", "-q", "-m", "original", "--date", env_dates[1])
    _git(root, "checkout", "-q", "fresh")
    _age(root)
    first = _run(root)
    assert (root / VERDICT).is_file()
    _git(root, "checkout", "-q", "stale")  # the same tree: no file is written
    after = _run(root)
    assert after["problems"] == _run(root, "--no-cache")["problems"]
    stale = [p for p in after["problems"] if p["file"] == translation and p["code"] == "stale-translation"]
    assert stale and not [p for p in first["problems"] if p["code"] == "stale-translation"]


@pytest.mark.parametrize(("rel", "old", "new", "target"), [
    (INTRO, "[[evt-a]]", "[[evt-q]]", "[[evt-q]]"),
    ("knowledge/references.bib", "org2019", "org2018", "@org2019"),
], ids=["page", "bibliography"])
def test_a_file_as_new_as_the_run_is_compared_by_content(tmp_path, rel: str, old: str, new: str, target: str):
    root = _book(tmp_path)
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")  # saved just now
    first = _run(root)
    assert (root / VERDICT).is_file()
    # Edited again within the same tick: same size, same time. Only its content tells.
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = _run(root)
    assert target in {p["target"] for p in after["problems"]} - {p["target"] for p in first["problems"]}
    assert after["problems"] == _run(root, "--no-cache")["problems"]


def test_a_no_cache_run_neither_keeps_nor_uses_a_verdict(tmp_path):
    root = _book(tmp_path)
    _run(root, "--no-cache")
    assert not (root / VERDICT).exists()
    first = _run(root)
    assert (root / VERDICT).is_file()
    intro = root / INTRO
    st = intro.stat()
    text = intro.read_text(encoding="utf-8")
    intro.write_text(text.replace("[[evt-a]]", "[[evt-q]]", 1), encoding="utf-8")
    os.utime(intro, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert _run(root)["problems"] == first["problems"]  # the verdict, as the cache would have it
    assert "[[evt-q]]" in {p["target"] for p in _run(root, "--no-cache")["problems"]}


@pytest.mark.parametrize("layout", layout_books.LAYOUTS)
def test_every_layout_gets_its_verdict_and_sees_an_edit(tmp_path, layout: str):
    root = tmp_path / layout
    files = layout_books.write_book(root, layout)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("      cache_dir: ''\n", ""), encoding="utf-8")
    _age(root)
    args = files

    def run(*more: str) -> dict:
        proc = subprocess.run([sys.executable, "-m", "chronicle.cli", "check", *([] if files else [str(root)]),
                               *args, "--format", "json", *more], capture_output=True, text=True, timeout=120)
        assert_exit_matches(proc)
        return json.loads(proc.stdout)

    first = run()
    assert (root / VERDICT).is_file()
    again = run()
    assert again["problems"] == first["problems"] == run("--no-cache")["problems"]
    assert again["summary"]["unchanged"] == again["summary"]["files"]
    # The English of the first chapter, wherever this layout keeps it, links nowhere now.
    english = next(p for p in root.rglob("*.md") if "/en/" in f"/{p.relative_to(root)}" or p.name.endswith(".en.md"))
    with open(english, "a", encoding="utf-8") as fh:
        fh.write("\n[gone](nowhere.md)\n")
    after = run()
    assert after["problems"] == run("--no-cache")["problems"] != first["problems"]
