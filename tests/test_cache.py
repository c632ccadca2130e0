"""The fact cache and the worker processes: faster, never different."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import MINI_BOOK, REPO, assert_exit_matches, check, write_book

INTRO = "manuscript/01-intro/intro.md"


def _age(root: Path, seconds: float = 600) -> None:
    """Date every file back, as a checkout is by the time anyone edits it (the cache does not
    trust an entry modified within two seconds of being recorded)."""
    then = time.time() - seconds
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (then, then))


def _problems(proc: subprocess.CompletedProcess[str]) -> list[dict]:
    assert_exit_matches(proc)
    return json.loads(proc.stdout)["problems"]


def test_unchanged_files_come_from_the_cache_and_edits_are_seen(tmp_path):
    root = write_book(tmp_path / "b", MINI_BOOK)
    _age(root)
    first = _problems(check(root, "--format", "json"))
    cache = root / ".chronicle-cache"
    assert (cache / ".gitignore").read_text(encoding="utf-8").endswith("*\n")
    assert (cache / "facts.marshal").stat().st_size > 0

    # Same size, same time, other content: only a cache that was used misses this edit;
    # the point is to prove the second run did not read the file.
    intro = root / INTRO
    st = intro.stat()
    text = intro.read_text(encoding="utf-8")
    swapped = text.replace("[[evt-a]]", "[[evt-q]]", 1)
    assert swapped != text and len(swapped.encode()) == st.st_size
    intro.write_text(swapped, encoding="utf-8")
    os.utime(intro, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert _problems(check(root, "--format", "json")) == first
    assert _problems(check(root, "--format", "json", "--no-cache")) != first

    # A real edit changes the size or the time: it is read again.
    intro.write_text(text + "\nSee [gone](missing.md).\n", encoding="utf-8")
    after = _problems(check(root, "--format", "json"))
    assert {(p["file"], p["code"]) for p in after} - {(p["file"], p["code"]) for p in first} == {
        (INTRO, "missing-file")
    }


def test_a_damaged_cache_is_ignored(tmp_path):
    root = write_book(tmp_path / "b", MINI_BOOK)
    _age(root)
    clean = _problems(check(root, "--format", "json"))
    for name in ("facts.marshal", "problems.marshal"):
        path = root / ".chronicle-cache" / name
        blob = path.read_bytes()
        for damaged in (blob[: len(blob) // 2], blob[:-1] + bytes([blob[-1] ^ 1]), b"not a cache", b""):
            path.write_bytes(damaged)
            proc = check(root, "--format", "json")
            assert "Traceback" not in proc.stderr
            assert _problems(proc) == clean


def test_problems_are_reused_only_with_the_facts_they_were_found_with(tmp_path):
    """The two cache files are written one after the other: problems left from an older run
    (as if the run that rewrote the facts had died before writing its problems) are not used."""
    root = write_book(tmp_path / "b", MINI_BOOK)
    _age(root)
    check(root, "--format", "json")
    old_problems = (root / ".chronicle-cache" / "problems.marshal").read_bytes()
    intro = root / INTRO
    intro.write_text(intro.read_text(encoding="utf-8") + "\nSee [gone](missing.md).\n", encoding="utf-8")
    _age(root)
    edited = _problems(check(root, "--format", "json"))
    assert (INTRO, "missing-file") in {(p["file"], p["code"]) for p in edited}
    (root / ".chronicle-cache" / "problems.marshal").write_bytes(old_problems)
    assert _problems(check(root, "--format", "json")) == edited


def test_no_cache_option_and_empty_cache_dir_write_nothing(tmp_path):
    root = write_book(tmp_path / "b", MINI_BOOK)
    check(root, "--no-cache")
    assert not (root / ".chronicle-cache").exists()
    yml = (root / "mkdocs.yml").read_text(encoding="utf-8").replace(
        "  - chronicle", "  - chronicle:\n      cache_dir: ''", 1)
    (root / "mkdocs.yml").write_text(yml, encoding="utf-8")
    assert check(root).returncode == 0  # the mini book has no errors
    assert not (root / ".chronicle-cache").exists()


def test_cache_dir_outside_the_project_is_refused(tmp_path):
    root = write_book(tmp_path / "b", MINI_BOOK)
    yml = (root / "mkdocs.yml").read_text(encoding="utf-8").replace(
        "  - chronicle", "  - chronicle:\n      cache_dir: ../elsewhere", 1)
    (root / "mkdocs.yml").write_text(yml, encoding="utf-8")
    proc = check(root)
    assert proc.returncode == 2 and "cache_dir" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "elsewhere").exists()


def test_worker_processes_find_exactly_what_one_process_finds(tmp_path):
    book = tmp_path / "gen"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "make_book.py"), str(book), "--chapters", "150",
                    "--cards", "150", "--defects"], check=True, capture_output=True, timeout=300)
    assert sum(1 for _ in book.rglob("*.md")) >= 400  # enough files for two workers
    one = check(book, "--format", "json", "--no-cache", "--jobs", "1")
    two = check(book, "--format", "json", "--no-cache", "--jobs", "2")
    assert one.returncode == two.returncode == 1
    assert json.loads(one.stdout) == json.loads(two.stdout)
    _age(book)
    cached = json.loads(check(book, "--format", "json", "--jobs", "2").stdout)  # cache filled by the workers
    again = json.loads(check(book, "--format", "json").stdout)  # every file from the cache
    expected = json.loads(one.stdout)
    for run, unchanged in ((cached, 0), (again, expected["summary"]["files"])):
        assert run["problems"] == expected["problems"]
        assert run["summary"] == {**expected["summary"], "unchanged": unchanged}


def _errors(root: Path, *args: str) -> set[tuple[str, int, str]]:
    return {(p["file"], p["line"], p["code"]) for p in _problems(check(root, "--format", "json", *args))
            if p["severity"] == "error"}


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_an_unchanged_file_is_checked_again_when_what_it_names_changes(tmp_path):
    """intro.md never changes; the heading, the card, the key and the file it names do."""
    root = write_book(tmp_path / "b", MINI_BOOK)
    _age(root)
    assert _errors(root) == set()
    intro_en = "manuscript/01-intro/intro.en.md"

    _edit(root, "knowledge/events/evt-a.en.md", "## Overview {#overview}", "## Overview {#summary}")
    assert _errors(root) == {(intro_en, 3, "missing-anchor")}
    _edit(root, "knowledge/events/evt-a.en.md", "{#summary}", "{#overview}")
    assert _errors(root) == set()

    _edit(root, "knowledge/references.bib", "@article{smith2020,", "@article{smith2021,")
    found = _errors(root)
    assert (INTRO, 8, "unknown-citation") in found and (intro_en, 5, "unknown-citation") in found
    _edit(root, "knowledge/references.bib", "@article{smith2021,", "@article{smith2020,")

    _edit(root, "knowledge/concepts/concept-x.md", "concept_id: concept-x", "concept_id: concept-y")
    assert (INTRO, 12, "unknown-id") in _errors(root)
    _edit(root, "knowledge/concepts/concept-x.md", "concept_id: concept-y", "concept_id: concept-x")
    assert _errors(root) == set()

    (root / "knowledge/events/evt-a.en.md").unlink()  # English readers now get the Chinese card
    assert (intro_en, 3, "missing-anchor") not in _errors(root)  # the Chinese card has the anchor too
    (root / "knowledge/events/evt-a.md").unlink()
    assert (INTRO, 6, "missing-file") in _errors(root)


def test_a_checkout_that_only_changes_times_is_hashed_not_parsed(tmp_path):
    root = write_book(tmp_path / "b", MINI_BOOK)
    _age(root, 600)
    first = json.loads(check(root, "--format", "json").stdout)
    assert first["summary"]["unchanged"] == 0
    _age(root, 300)  # every file gets a new time (as after git checkout), no content changes
    again = json.loads(check(root, "--format", "json").stdout)
    assert again["summary"]["unchanged"] == again["summary"]["files"] == first["summary"]["files"]
    assert again["problems"] == first["problems"]
    (root / INTRO).write_text((root / INTRO).read_text(encoding="utf-8") + "\nSee [x](nowhere.md).\n",
                              encoding="utf-8")
    edited = json.loads(check(root, "--format", "json").stdout)
    assert edited["summary"]["unchanged"] == first["summary"]["files"] - 1
    assert {p["code"] for p in edited["problems"] if p["file"] == INTRO} == {"missing-file"}
    text = check(root).stdout.splitlines()[-1]
    assert f"({first['summary']['files']} unchanged since the last check)" in text


def test_card_validation_is_kept_and_redone_when_the_card_changes(tmp_path):
    """An unchanged book is checked without importing pydantic; an edited card is validated again."""
    root = write_book(tmp_path / "b", MINI_BOOK)
    _age(root)
    assert _errors(root) == set()
    probe = ("import sys; from chronicle import loading, settings; "
             "loading.load(settings.load_settings(sys.argv[1])); print('pydantic' in sys.modules)")
    loaded = subprocess.run([sys.executable, "-c", probe, str(root)], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "False"

    event = "knowledge/events/evt-b.md"
    _edit(root, event, "date: 2019-05", "date: 2019-13")
    invalid = _errors(root)
    assert (event, 3, "frontmatter-field") in invalid
    assert _errors(root) == invalid  # the error is kept with the result
    _edit(root, event, "date: 2019-13", "date: 2019-05")
    assert _errors(root) == set()

    # A language taken out of mkdocs.yml makes 'title_en' an unknown field: results depend on it.
    _edit(root, "mkdocs.yml", "        - locale: en", "        - locale: xx")
    assert ("knowledge/concepts/concept-x.md", 4, "unknown-field") in _errors(root)


def test_what_the_disk_said_is_asked_again_before_problems_are_reused(tmp_path):
    """A link to a path outside the book's trees depends on the disk, not on the book's files:
    its answer is kept with the problems and checked again, the file that links never changes."""
    root = write_book(tmp_path / "b", {**MINI_BOOK, INTRO: MINI_BOOK[INTRO] + "\nSee [notes](../../notes/plan.md).\n"})
    _age(root)
    found = _problems(check(root, "--format", "json"))
    assert [p["code"] for p in found if p["target"] == "../../notes/plan.md"] == ["missing-file"]

    (root / "notes").mkdir()
    (root / "notes/plan.md").write_text("# Plan\n", encoding="utf-8")  # outside manuscript/ and knowledge/
    again = _problems(check(root, "--format", "json"))
    assert [p["code"] for p in again if p["target"] == "../../notes/plan.md"] == ["missing-file"]
    assert "is not part of the site" in next(p["message"] for p in again if p["target"] == "../../notes/plan.md")
    assert json.loads(check(root, "--format", "json").stdout)["summary"]["unchanged"] > 0


def test_fingerprints_are_of_the_text_whatever_the_newlines(tmp_path):
    """The fingerprint read from the bytes' digest (no CR) and the one computed from the text
    (CRLF files) are both what `chronicle fingerprint` prints for the file."""
    from chronicle import loading
    from chronicle.settings import load_settings

    root = write_book(tmp_path / "b", MINI_BOOK)
    intro = root / INTRO
    text = intro.read_text(encoding="utf-8")
    crlf = root / "manuscript/01-intro/crlf.md"
    crlf.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    printed = subprocess.run([sys.executable, "-m", "chronicle.cli", "fingerprint", str(intro), str(crlf)],
                             capture_output=True, text=True, check=True).stdout.split('"')
    assert printed[1] == printed[3] == loading.fingerprint(text)
    book = loading.load(load_settings(root), use_cache=False)
    assert book.docs[INTRO].fingerprint == book.docs["manuscript/01-intro/crlf.md"].fingerprint == printed[1]


def test_a_cached_book_check_runs_again_only_when_what_it_reads_changes(tmp_path):
    """A book check of the files alone (check_cards is one) is not run on an unchanged book;
    an edit runs it again: any edit, or for a check of the front matter alone (bodies=False)
    an edit of a front matter or of the bibliography, not of a paragraph."""
    from chronicle import checks, loading
    from chronicle.settings import load_settings

    root = write_book(tmp_path / "b", MINI_BOOK)
    _age(root)
    runs = {"all": 0, "front matter": 0}

    def count_all(book):
        runs["all"] += 1
        yield from ()

    def count_front_matter(book):
        runs["front matter"] += 1
        yield from ()

    before = list(checks.BOOK_CHECKS)
    checks.book_check(cached=True)(count_all)
    checks.book_check(cached=True, bodies=False)(count_front_matter)
    try:
        def codes() -> set[tuple[str, str]]:
            book = loading.load(load_settings(root, validate=False), use_cache=True)
            return {(p.file, p.code) for p in checks.check(book)}

        first = codes()
        assert codes() == first and runs == {"all": 1, "front matter": 1}  # the second run reused them
        edits = [(INTRO, "正文。", "正文，多一句。", {"all": 2, "front matter": 1}),
                 ("knowledge/events/evt-b.md", "enabled_by: evt-a", "enabled_by: evt-zz",
                  {"all": 3, "front matter": 2}),
                 ("knowledge/references.bib", "smith2020", "smith2021", {"all": 4, "front matter": 3})]
        for rel, old, new, expected in edits:
            _edit(root, rel, old, new)
            _age(root)
            found = codes()
            assert runs == expected and codes() == found and runs == expected, rel
        assert ("knowledge/events/evt-b.md", "unknown-reference") in found  # check_cards, run again
    finally:
        checks.BOOK_CHECKS[:] = before
        for name in ("count_all", "count_front_matter"):
            checks.CACHED_BOOK_CHECKS.pop(name, None)


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   cwd=root, capture_output=True, text=True, check=True)


def test_translation_staleness_follows_git_history_with_the_files_unchanged(tmp_path):
    """Staleness comes from git when there is no translated_from: a history in which the
    original was committed after its translation is another answer, with the same files."""
    root = write_book(tmp_path / "b", MINI_BOOK)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "book")
    _age(root)

    def stale() -> set[str]:
        return {p["file"] for p in _problems(check(root, "--format", "json")) if p["code"] == "stale-translation"}

    assert stale() == set()
    card = root / "knowledge/events/evt-a.md"
    text = card.read_text(encoding="utf-8")
    card.write_text(text + "\n", encoding="utf-8")
    _git(root, "commit", "-q", "-am", "edit the original")
    card.write_text(text, encoding="utf-8")  # back as it was: every file is what the cache has seen
    _git(root, "commit", "-q", "-am", "undo")
    _age(root)
    assert stale() == {"knowledge/events/evt-a.en.md"}
