"""`chronicle init`: a new book that builds strictly and checks clean at once, written without
ever overwriting a file."""

from __future__ import annotations

import glob
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from chronicle.init import TEMPLATE, plan
from conftest import REPO, _env, build, check
from mkdocs.utils.yaml import get_yaml_loader

TEMPLATES = REPO / "plugins" / "chronicle" / Path(*TEMPLATE)


def init(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "chronicle.cli", "init", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=_env(), cwd=cwd)


def snapshot(root: Path) -> dict[str, str]:
    """Every file under ROOT by its path, with the SHA-256 of its bytes."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def template_files() -> set[str]:
    return {p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """`chronicle init tmp/b` (a folder that does not exist yet), as a newcomer runs it."""
    tmp = tmp_path_factory.mktemp("init")
    proc = init("tmp/b", cwd=tmp)
    return tmp / "tmp" / "b", proc


def test_init_writes_every_template_and_says_what_next(book: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    root, proc = book
    assert proc.returncode == 0, proc.stderr
    written = set(snapshot(root))
    assert written == template_files()  # and no temporary file left behind
    assert {"mkdocs.yml", "manuscript/index.md", "manuscript/index.en.md", "knowledge/references.bib",
            ".gitignore", ".github/workflows/check.yml", ".pre-commit-config.yaml"} <= written
    for rel in written:
        assert f"  {rel}\n" in proc.stdout
    assert proc.stdout.rstrip().endswith("next: cd tmp/b && mkdocs serve")
    assert "{{" not in "".join(p.read_text(encoding="utf-8") for p in root.rglob("*.md"))
    ignored = (root / ".gitignore").read_text(encoding="utf-8").split()
    assert {"site/", ".site-src/", ".chronicle-cache/", ".venv/"} <= set(ignored)


def test_new_book_builds_strictly_in_both_languages(book: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    root, _ = book
    result = build(root)
    assert result.returncode == 0, result.output
    assert "WARNING" not in result.output
    zh = result.page("index.html")
    en = result.page("en/index.html")
    cases = ((zh, "zh", "Transformer 论文发布"), (en, "en", "The Transformer paper is published"))
    for html, lang, card_title in cases:
        assert f'<html lang="{lang}"' in html
        # The embedded event card, titled in the page's language, and the citation with its reference list.
        assert "chronicle-card--event" in html
        assert card_title in html.split("chronicle-card--event", 1)[1]
        assert "Vaswani et al., 2017" in html
        assert "Attention Is All You Need" in html
    assert "<title>我的书</title>" in zh
    assert "My book</title>" in en
    chapter = result.page("en/01-first-chapter/first-chapter/")
    assert "chronicle-card--concept" in chapter and "Bahdanau et al." in chapter
    assert "chronicle-fallback" not in en + chapter  # every page is translated


def test_new_book_checks_clean(book: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    root, _ = book
    proc = check(root, "--strict", "--no-cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().endswith("0 error(s), 0 warning(s)")
    summary = json.loads(check(root, "--format", "json", "--no-cache").stdout)["summary"]
    assert summary["errors"] == summary["warnings"] == 0 and summary["files"] == 8


def test_translations_record_the_originals_they_were_made_from(tmp_path: Path) -> None:
    """The fingerprints are worked out from the text as written (the title filled in), so a
    translation is up to date without git, and stale as soon as its original changes."""
    root = tmp_path / "b"
    assert init(str(root), "--title", "另一本书").returncode == 0
    assert check(root, "--strict").returncode == 0
    with (root / "manuscript" / "index.md").open("a", encoding="utf-8") as fh:
        fh.write("\n新的一段。\n")
    proc = check(root)
    assert "manuscript/index.en.md:1:1: warning stale-translation" in proc.stdout
    assert proc.stdout.strip().endswith("0 error(s), 1 warning(s)")


def test_second_init_refuses_and_changes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "b"
    assert init(str(root)).returncode == 0
    (root / "manuscript" / "index.md").write_text("# 我自己的首页\n", encoding="utf-8")
    before = snapshot(root)
    proc = init(str(root), "--title", "别的书")
    assert proc.returncode == 2
    assert "not writing anything" in proc.stderr
    assert "  mkdocs.yml\n" in proc.stderr and "  manuscript/index.md\n" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert snapshot(root) == before


def test_init_beside_unrelated_files(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "README.md").write_text("my notes\n", encoding="utf-8")
    (root / "manuscript").mkdir()
    (root / "manuscript" / "notes.txt").write_text("drafts\n", encoding="utf-8")
    proc = init(str(root))
    assert proc.returncode == 0, proc.stderr
    assert (root / "README.md").read_text(encoding="utf-8") == "my notes\n"
    assert set(snapshot(root)) == template_files() | {"README.md", "manuscript/notes.txt"}


def test_init_refuses_when_one_file_it_would_write_exists(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "knowledge").mkdir(parents=True)
    (root / "README.md").write_text("my notes\n", encoding="utf-8")
    (root / "knowledge" / "references.bib").write_text("@misc{mine, title={Mine}}\n", encoding="utf-8")
    before = snapshot(root)
    proc = init(str(root))
    assert proc.returncode == 2
    assert "1 path(s)" in proc.stderr and "  knowledge/references.bib\n" in proc.stderr
    assert "README.md" not in proc.stderr
    assert snapshot(root) == before
    assert sorted(p.name for p in root.rglob("*")) == ["README.md", "knowledge", "references.bib"]


@pytest.mark.parametrize("blocker", ["knowledge", "manuscript/01-first-chapter", ".github"])
def test_a_file_where_a_folder_goes_is_refused(tmp_path: Path, blocker: str) -> None:
    root = tmp_path / "b"
    (root / blocker).parent.mkdir(parents=True, exist_ok=True)
    (root / blocker).write_text("in the way\n", encoding="utf-8")
    before = snapshot(root)
    proc = init(str(root))
    assert proc.returncode == 2
    assert f"  {blocker}\n" in proc.stderr
    assert snapshot(root) == before


def test_a_dangling_symlink_counts_as_existing(tmp_path: Path) -> None:
    root = tmp_path / "b"
    root.mkdir()
    (root / "mkdocs.yml").symlink_to(tmp_path / "elsewhere.yml")
    proc = init(str(root))
    assert proc.returncode == 2 and "  mkdocs.yml\n" in proc.stderr
    assert not (tmp_path / "elsewhere.yml").exists()
    assert [p.name for p in root.iterdir()] == ["mkdocs.yml"]


def test_a_folder_linked_outside_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    root = tmp_path / "b"
    root.mkdir()
    (root / "knowledge").symlink_to(tmp_path / "elsewhere")
    proc = init(str(root))
    assert proc.returncode == 2 and "  knowledge\n" in proc.stderr
    assert list((tmp_path / "elsewhere").iterdir()) == []
    assert [p.name for p in root.iterdir()] == ["knowledge"]


def test_init_into_a_file_or_with_a_bad_title_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "book.txt"
    target.write_text("x\n", encoding="utf-8")
    proc = init(str(target))
    assert proc.returncode == 2 and "is not a folder" in proc.stderr
    for bad in ("two\nlines", "   "):
        proc = init(str(tmp_path / "b"), "--title", bad)
        assert proc.returncode == 2, proc.stdout
        assert "--title" in proc.stderr and "(" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "b").exists()


def test_default_folder_is_the_current_one(tmp_path: Path) -> None:
    proc = init(cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "mkdocs.yml").is_file()
    assert proc.stdout.rstrip().endswith("next: mkdocs serve")


def test_titles_are_escaped_for_yaml_and_kept_as_written() -> None:
    title, title_en = '历史: "一" #1 \\ {x}', "A 'history': [of] & more"
    files = {f.rel: f.text for f in plan(title, title_en)}
    config = yaml.load(files["mkdocs.yml"], Loader=get_yaml_loader())
    assert config["site_name"] == title
    english = next(lang for lang in config["plugins"][2]["i18n"]["languages"] if lang["locale"] == "en")
    assert english["site_name"] == title_en
    assert files["manuscript/index.md"].startswith(f"# {title}\n")
    assert f"# {title_en}\n" in files["manuscript/index.en.md"]
    assert plan("History")[0].text == plan("History", "History")[0].text  # English title defaults to --title


def test_wheel_ships_every_template() -> None:
    """Each template file (dot-files too, which a `*` skips) is matched by a package-data pattern,
    so an installed, non-editable chronicle can write the book."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    package_dir = REPO / "plugins" / "chronicle"
    shipped = {
        Path(match).relative_to(Path(*TEMPLATE)).as_posix()
        for pattern in patterns["tool"]["setuptools"]["package-data"]["chronicle"]
        for match in glob.glob(pattern, root_dir=package_dir, recursive=True)
        if (package_dir / match).is_file() and Path(match).parts[:2] == TEMPLATE
    }
    assert shipped == template_files()
    assert {".gitignore", ".pre-commit-config.yaml", ".github/workflows/check.yml"} <= shipped


def test_the_commented_rules_work_once_uncommented(book: tuple[Path, subprocess.CompletedProcess[str]],
                                                   tmp_path: Path) -> None:
    """The rules the template shows, uncommented, are a valid option the new book passes."""
    import shutil

    root, _ = book
    copy = tmp_path / "copy"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("site", ".chronicle-cache", ".site-src"))
    config = copy / "mkdocs.yml"
    lines = config.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "# rules:")
    out = lines[:start]
    for line in lines[start:]:
        if not line.startswith("      #"):
            break
        out.append("      " + line[len("      # "):])
    else:
        pytest.fail("the rules example runs to the end of the file")
    out += lines[len(out):]
    config.write_text("\n".join(out) + "\n", encoding="utf-8")
    assert "\n      rules:\n        length:" in config.read_text(encoding="utf-8")
    proc = check(copy, "--strict", "--no-cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (copy / "manuscript/01-first-chapter/first-chapter.en.md").write_text("# Short\n\nNeedless to say.\n",
                                                                           encoding="utf-8")
    proc = check(copy, "--format", "json", "--no-cache")
    codes = {p["code"] for p in json.loads(proc.stdout)["problems"]}
    assert {"rule-length", "rule-avoid"} <= codes, codes
