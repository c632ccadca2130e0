"""Confinement: nothing outside the project is read or published, nothing is written into the
author's folders, and the last good site survives a build that fails, crashes or is killed."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from chronicle import confine
from conftest import MINI_BOOK, MKDOCS_YML, _env, build, check, write_book

TOKEN = "OUTSIDE-TOKEN-7f3a9c"


def _snapshot(folder: Path, skip: tuple[str, ...] = ("site", ".site-src", ".chronicle-cache")) -> dict[str, str]:
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if set(rel.split("/")) & set(skip) or rel.split("/")[-1].startswith(".chronicle-build"):
            continue
        if path.is_symlink():
            out[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the book with a chapter and a card that must never reach the site."""
    folder = tmp_path / "outside"
    (folder / "events").mkdir(parents=True)
    (folder / "page.md").write_text(f"# {TOKEN}\n\n{TOKEN}\n", encoding="utf-8")
    (folder / "events" / "leak.md").write_text(
        f"---\nevent_id: leak\ndate: 2019\ntitle: {TOKEN}\n---\n# {TOKEN}\n", encoding="utf-8")
    (folder / "refs.bib").write_text(f"@misc{{leak2019, title = {{{TOKEN}}}, year = {{2019}}}}\n", encoding="utf-8")
    return folder


def _no_token_anywhere(root: Path) -> None:
    for sub in ("site", ".site-src", ".chronicle-cache"):
        base = root / sub
        for path in base.rglob("*") if base.is_dir() else ():
            if path.is_file() and not path.is_symlink():
                assert TOKEN.encode() not in path.read_bytes(), path


@pytest.mark.parametrize("root,path,ok", [
    ("/p", "a/b.md", True),
    ("/p", "a/../b.md", True),
    ("/p", "../x", False),
    ("/p", "a/../../x", False),
    ("/p", "/etc/passwd", False),
    ("/p", ".", True),
])
def test_readable_is_decided_on_the_resolved_path(tmp_path, root, path, ok):
    base = tmp_path / root.strip("/")
    base.mkdir()
    assert confine.is_readable(base, path) is ok


def test_a_symlink_on_the_way_counts_where_it_leads(tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "p" / "link").symlink_to(tmp_path / "elsewhere")
    assert not confine.is_readable(tmp_path / "p", "link/file.md")
    with pytest.raises(confine.Outside) as err:
        confine.readable(tmp_path / "p", "link/file.md")
    assert err.value.target == str(tmp_path / "elsewhere" / "file.md")


@pytest.mark.parametrize("folder,why", [
    (".", "is the project folder itself"),
    ("manuscript", "lies inside the source folder 'manuscript'"),
    ("manuscript/x", "lies inside the source folder 'manuscript'"),
    ("docs", "holds the source folder 'docs/book'"),
    ("../x", "leads outside the project"),
])
def test_output_folders_stay_apart_from_the_sources(tmp_path, folder, why):
    for sub in ("manuscript", "docs/book"):
        (tmp_path / sub).mkdir(parents=True)
    with pytest.raises(ValueError, match=why):
        confine.check_output_folder(tmp_path, folder, ["manuscript", "docs/book"])
    assert confine.check_output_folder(tmp_path, ".cache", ["manuscript"]) == str(tmp_path / ".cache")


def test_a_planted_symlink_is_replaced_not_written_through(tmp_path):
    (tmp_path / "cache").mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("author's words", encoding="utf-8")
    (tmp_path / "cache" / "f").symlink_to(victim)
    confine.write_file(tmp_path / "cache", "f", b"ours")
    assert victim.read_text(encoding="utf-8") == "author's words"
    assert not (tmp_path / "cache" / "f").is_symlink()
    with pytest.raises(confine.Outside):
        confine.write_file(tmp_path / "cache", "../victim.txt", b"ours")


def _option(yml: str, line: str) -> str:
    return yml.replace("  - chronicle\n", f"  - chronicle:\n      {line}\n")


BAD_OPTIONS = [
    ("knowledge_dir: ./..", "plugins.chronicle.knowledge_dir"),
    ("knowledge_dir: /etc", "plugins.chronicle.knowledge_dir"),
    ("knowledge_dir: ..", "plugins.chronicle.knowledge_dir"),
    ("bibliography: ../../../../etc/passwd", "plugins.chronicle.bibliography"),
    ("bibliography: /etc/passwd", "plugins.chronicle.bibliography"),
    ("cache_dir: manuscript", "plugins.chronicle.cache_dir"),
    ("cache_dir: ./../x", "plugins.chronicle.cache_dir"),
    ("cache_dir: .", "plugins.chronicle.cache_dir"),
    ("staging_dir: knowledge/events", "plugins.chronicle.staging_dir"),
    ("staging_dir: /tmp/x", "plugins.chronicle.staging_dir"),
]


@pytest.mark.parametrize("line,name", BAD_OPTIONS)
def test_an_option_that_leaves_the_project_or_enters_a_source_stops_both_front_ends(tmp_path, line, name):
    root = write_book(tmp_path / "b", MINI_BOOK, _option(MKDOCS_YML, line))
    before = _snapshot(tmp_path)
    proc = check(root)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert name in proc.stderr and "Traceback" not in proc.stderr
    result = build(root)
    assert result.returncode != 0
    assert name in result.output and "Traceback" not in result.output
    assert _snapshot(tmp_path) == before
    assert not (root / "site").exists() and not (root / ".chronicle-cache").exists()


@pytest.mark.parametrize("yml,name", [
    (MKDOCS_YML.replace("  - chronicle\n", "  - chronicle: 5\n"), "plugins.chronicle"),
    (MKDOCS_YML.replace("      languages:\n", "      languages: 5\n      other:\n"), "plugins.i18n.languages"),
    (MKDOCS_YML.replace("plugins:\n", "plugins: 7\nx:\n"), "plugins"),
])
def test_an_option_of_the_wrong_shape_is_a_configuration_error(tmp_path, yml, name):
    root = write_book(tmp_path / "b", MINI_BOOK, yml)
    proc = check(root)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"mkdocs.yml: {name}" in proc.stderr and "Traceback" not in proc.stderr


def test_a_docs_dir_that_does_not_exist_is_a_configuration_error(tmp_path):
    root = write_book(tmp_path / "b", {}, MKDOCS_YML)
    proc = check(root)
    assert proc.returncode == 2
    assert "docs_dir" in proc.stderr


def test_a_symlink_out_of_the_book_is_reported_and_nothing_of_it_published(tmp_path, outside):
    root = write_book(tmp_path / "b", MINI_BOOK)
    (root / "manuscript" / "05-x").symlink_to(outside)
    (root / "knowledge" / "events" / "leak.md").symlink_to(outside / "events" / "leak.md")
    data = json.loads(check(root, "--format", "json").stdout)
    found = {(p["file"], p["code"]) for p in data["problems"] if p["severity"] == "error"}
    assert found == {("manuscript/05-x", "outside-project"), ("knowledge/events/leak.md", "outside-project")}
    assert all(p["hint"] for p in data["problems"] if p["code"] == "outside-project")
    message = next(p["message"] for p in data["problems"] if p["file"] == "manuscript/05-x")
    assert str(outside) in message
    assert build(root, strict=True).returncode == 1
    result = build(root, strict=False)
    assert result.returncode == 0, result.output
    assert not (root / "site" / "05-x").exists()
    _no_token_anywhere(root)


def test_a_card_folder_that_is_a_symlink_out_of_the_project_is_refused(tmp_path, outside):
    root = write_book(tmp_path / "b", {k: v for k, v in MINI_BOOK.items() if not k.startswith("knowledge/")})
    (root / "knowledge").symlink_to(outside)
    proc = check(root)
    assert proc.returncode == 2
    assert "plugins.chronicle.knowledge_dir" in proc.stderr and str(outside) in proc.stderr
    assert build(root, strict=False).returncode != 0
    _no_token_anywhere(root)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_in_the_book_is_reported_not_read(tmp_path):
    # Opening a pipe to read it waits for a writer that never comes: the check and the build
    # would hang. Neither reads it; the check says where it is.
    root = write_book(tmp_path / "b", MINI_BOOK)
    os.mkfifo(root / "manuscript" / "01-intro" / "pipe.md")
    os.mkfifo(root / "knowledge" / "events" / "photo.png")
    (root / "manuscript" / "link.md").symlink_to("01-intro/pipe.md")
    proc = check(root, "--format", "json")
    assert proc.returncode == 1, proc.stderr
    problems = json.loads(proc.stdout)["problems"]
    found = {(p["file"], p["code"]) for p in problems if p["severity"] == "error"}
    assert found == {("manuscript/01-intro/pipe.md", "special-file"), ("knowledge/events/photo.png", "special-file"),
                     ("manuscript/link.md", "special-file")}
    assert all(p["hint"] and p["line"] == 1 for p in problems if p["code"] == "special-file")
    assert build(root, strict=True).returncode == 1
    result = build(root, strict=False)
    assert result.returncode == 0, result.output
    assert "pipe.md" in result.output  # the warning names it
    assert not (root / "site" / "01-intro" / "pipe").exists()
    assert not (root / "site" / "knowledge" / "events" / "photo.png").exists()
    assert (root / "site" / "01-intro" / "intro" / "index.html").is_file()


def test_symlink_cycles_end_and_are_reported(tmp_path):
    root = write_book(tmp_path / "b", MINI_BOOK)
    (root / "manuscript" / "loop").symlink_to("..")
    (root / "manuscript" / "01-intro" / "self").symlink_to(".")
    proc = check(root, "--format", "json")
    data = json.loads(proc.stdout)
    found = {(p["file"], p["code"]) for p in data["problems"] if p["severity"] == "error"}
    assert found == {("manuscript/loop", "outside-project"), ("manuscript/01-intro/self", "outside-project")}
    result = build(root, strict=False)
    assert result.returncode == 0, result.output
    assert not (root / "site" / "loop").exists() and not (root / "site" / "01-intro" / "self").exists()


def test_symlinks_planted_in_our_folders_are_never_written_through(tmp_path):
    root = write_book(tmp_path / "b", MINI_BOOK)
    (root / ".site-src").mkdir()
    (root / ".site-src" / "_chronicle").symlink_to("../manuscript")
    (root / ".chronicle-cache").mkdir()
    (root / ".chronicle-cache" / ".gitignore").symlink_to("../manuscript/index.md")
    before = _snapshot(root, skip=("site", ".site-src", ".chronicle-cache"))
    assert check(root).returncode == 0
    result = build(root, strict=False)
    assert result.returncode == 0, result.output
    assert _snapshot(root, skip=("site", ".site-src", ".chronicle-cache")) == before
    assert not (root / ".site-src" / "_chronicle").is_symlink()


def test_a_generated_page_path_cannot_leave_the_staging_folder(tmp_path):
    yml = _option(MKDOCS_YML, "timeline: {path: ../../manuscript/timeline.md}")
    root = write_book(tmp_path / "b", MINI_BOOK, yml)
    before = _snapshot(tmp_path)
    result = build(root)
    assert result.returncode != 0 and "Traceback" not in result.output
    assert "timeline.md" in result.output
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("line,name", [
    ("site_dir: knowledge", "site_dir"),
    ("site_dir: manuscript/out", "site_dir"),
])
def test_the_site_folder_may_not_be_a_source_folder(tmp_path, line, name):
    root = write_book(tmp_path / "b", MINI_BOOK, MKDOCS_YML + line + "\n")
    before = _snapshot(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=root, capture_output=True, text=True,
                          timeout=120, env=_env())
    assert proc.returncode != 0
    assert name in proc.stdout + proc.stderr and "Traceback" not in proc.stdout + proc.stderr
    assert _snapshot(tmp_path) == before


def test_snippets_may_not_include_files_from_outside(tmp_path, outside):
    snippets = f"  - pymdownx.snippets:\n      base_path: ['{outside}']\n"
    yml = MKDOCS_YML.replace("  - admonition\n", "  - admonition\n" + snippets)
    root = write_book(tmp_path / "b", MINI_BOOK, yml)
    result = build(root, strict=False)
    assert result.returncode != 0
    assert "pymdownx.snippets" in result.output and "base_path" in result.output
    _no_token_anywhere(root)


# -- the last good site survives ---------------------------------------------------------

CRASH_HOOK = """\
import os
def on_post_page(output, page, config):
    if os.environ.get("CHRONICLE_TEST_CRASH") and page.file.src_uri.endswith("intro.md"):
        raise RuntimeError("boom")
    if os.environ.get("CHRONICLE_TEST_HANG") and page.file.src_uri.endswith("intro.md"):
        open(os.environ["CHRONICLE_TEST_HANG"], "w").close()
        import time
        time.sleep(600)
    return output
"""


@pytest.fixture
def built(tmp_path: Path) -> Path:
    root = write_book(tmp_path / "b", MINI_BOOK, MKDOCS_YML + "hooks:\n  - hook.py\n")
    (root / "hook.py").write_text(CRASH_HOOK, encoding="utf-8")
    assert build(root).returncode == 0
    return root


def _leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".chronicle-build"))


def test_a_failed_strict_build_leaves_the_last_site_byte_for_byte(built):
    site = _site_files(built / "site")
    assert "index.html" in site and "en/index.html" in site
    with (built / "manuscript/index.md").open("a", encoding="utf-8") as fh:
        fh.write("\n[[no-such-id]]\n")
    assert build(built, strict=True).returncode == 1
    assert _site_files(built / "site") == site
    assert _leftovers(built) == []
    # A good build then replaces it whole.
    (built / "manuscript/index.md").write_text("# 首页\n\n新的。\n", encoding="utf-8")
    assert build(built, strict=True).returncode == 0
    assert "新的" in (built / "site/index.html").read_text(encoding="utf-8")
    assert _leftovers(built) == []


def test_a_crashed_build_leaves_the_last_site(built):
    site = _site_files(built / "site")
    env = {**_env(), "CHRONICLE_TEST_CRASH": "1"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-d", str(built / "site")], cwd=built,
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode != 0 and "boom" in proc.stdout + proc.stderr
    assert _site_files(built / "site") == site
    assert _leftovers(built) == []


def test_a_killed_build_leaves_the_last_site_and_the_next_build_cleans_up(built, tmp_path):
    site = _site_files(built / "site")
    flag = tmp_path / "hanging"
    env = {**_env(), "CHRONICLE_TEST_HANG": str(flag)}
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "-d", str(built / "site")], cwd=built,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 120
    while not flag.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    assert flag.exists(), "the build never reached the page"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert _site_files(built / "site") == site
    assert len(_leftovers(built)) == 1  # the half-built folder, beside the site
    leftover = next(p for p in built.iterdir() if p.name.startswith(".chronicle-build"))
    assert (leftover / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"  # git status stays clean
    assert build(built).returncode == 0
    assert _leftovers(built) == []
