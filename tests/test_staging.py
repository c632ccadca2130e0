"""The staging folder: what a second build leaves alone."""

from __future__ import annotations

from pathlib import Path

from chronicle import staging
from conftest import MINI_BOOK, build, write_book


def _times(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_a_second_build_does_not_touch_the_generated_pages(tmp_path: Path) -> None:
    # `mkdocs serve` watches the docs_dir: a page rewritten with the same text is a change it
    # rebuilds for, forever.
    root = write_book(tmp_path / "book", MINI_BOOK)
    assert build(root).returncode == 0
    generated = root / ".site-src" / staging.GENERATED
    before = _times(generated)
    assert {"timeline.md", "timeline.en.md", "graph.md", "concepts.md", "assets/chronicle.css"} <= set(before)
    assert build(root).returncode == 0
    assert _times(generated) == before
    # A card's title changes: the pages that show it are written again, and only those.
    card = root / "knowledge/events/evt-b.md"
    card.write_text(card.read_text(encoding="utf-8").replace("title: 事件乙", "title: 事件乙改"), encoding="utf-8")
    assert build(root).returncode == 0
    after = _times(generated)
    changed = {rel for rel in before if after[rel] != before[rel]}
    assert "timeline.md" in changed and "assets/chronicle.css" not in changed
    assert "事件乙改" in (generated / "timeline.md").read_text(encoding="utf-8")


def test_write_generated_writes_only_what_changed_and_prunes_the_rest(tmp_path: Path) -> None:
    staging.write_generated(tmp_path, {"a.md": "A", "b.md": "B"})
    gen = tmp_path / staging.GENERATED
    times = _times(gen)
    staging.write_generated(tmp_path, {"a.md": "A", "b.md": "B2"})
    assert _times(gen)["a.md"] == times["a.md"] and (gen / "b.md").read_text() == "B2"
    staging.write_generated(tmp_path, {"a.md": "A"})
    assert not (gen / "b.md").exists() and _times(gen)["a.md"] == times["a.md"]


def test_the_site_folder_is_readable_as_a_plain_build_makes_it(tmp_path: Path) -> None:
    # The build goes into a fresh folder renamed into place: a private one (mkdtemp's 0700)
    # would be the published site's root, and a web server of another user could not read it.
    import os
    import stat

    umask = os.umask(0o022)
    os.umask(umask)
    result = build(write_book(tmp_path / "b", MINI_BOOK))
    assert result.returncode == 0, result.output
    assert stat.S_IMODE(result.site.stat().st_mode) == 0o777 & ~umask
    assert stat.S_IMODE((result.site / "index.html").stat().st_mode) == 0o666 & ~umask
    worker = next((result.site / "assets/javascripts/workers").glob("search.*.min.js"))
    assert stat.S_IMODE(worker.stat().st_mode) == 0o666 & ~umask  # mended in place (search.py)
