"""The same book in each layout multilingual MkDocs books use (suffix, static-i18n's folder
structure, one MkDocs project per language) gives the same problems, the same translation
status and, built, the same pages (see chronicle/layouts.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from chronicle.layouts import Layout, Root, real_paths
from conftest import _env, build
from layout_books import _I18N, LAYOUTS, write, write_book


def _cli(root: Path, command: str, files: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    where = files or [str(root)]
    return subprocess.run([sys.executable, "-m", "chronicle.cli", command, *where, *args],
                          capture_output=True, text=True, timeout=120, env=_env())


def _logical(layout: str, path: str) -> tuple[str, str]:
    """A repository path -> (language, path inside the book's folder), for any layout."""
    if layout == "folder":
        _docs, lang, rest = path.split("/", 2)
        return lang, rest
    if layout == "projects":
        return ("en", path[len("en/docs/"):]) if path.startswith("en/") else ("zh", path[len("docs/"):])
    rest = path[len("docs/"):]
    return ("en", rest.replace(".en.md", ".md")) if ".en." in rest else ("zh", rest.replace(".zh.md", ".md"))


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, list[str]]]:
    out = {}
    for layout in LAYOUTS:
        root = tmp_path_factory.mktemp(layout)
        out[layout] = (root, write_book(root, layout))
    return out


def _problems(books: dict[str, tuple[Path, list[str]]], layout: str) -> set[tuple[object, ...]]:
    root, files = books[layout]
    proc = _cli(root, "check", files, "--format", "json")
    assert proc.returncode == 1, proc.stderr  # the book's deliberate errors
    report = json.loads(proc.stdout)
    assert report["summary"]["files"] == 9
    return {(_logical(layout, p["file"]), p["line"], p["column"], p["severity"], p["code"], p["target"])
            for p in report["problems"]}


def test_every_layout_gives_the_same_problems(books) -> None:
    suffix = _problems(books, "suffix")
    codes = sorted(p[4] for p in suffix)
    # What the book holds on purpose, in both languages.
    assert codes == sorted(["missing-file", "missing-file", "unknown-id", "unknown-id", "unknown-citation",
                            "missing-anchor", "missing-anchor", "missing-anchor", "missing-translation",
                            "untranslated-target"])
    assert (("en", "01-start/index.md"), 5, 34, "error", "missing-anchor",
            "../knowledge/events/e1.md#impact") in suffix
    assert (("zh", "01-start/second.md"), 1, 1, "warning", "missing-translation",
            "docs/01-start/second.md") in suffix
    for layout in ("folder", "projects", "explicit"):
        other = _problems(books, layout)
        # A problem's target is the reference as written; a missing translation names its page.
        normal = {p if p[4] != "missing-translation" else (*p[:5], "") for p in other}
        assert normal == {p if p[4] != "missing-translation" else (*p[:5], "") for p in suffix}, layout


def test_messages_name_the_files_of_the_repository(books) -> None:
    root, files = books["folder"]
    out = _cli(root, "check", files).stdout
    assert "docs/en/01-start/index.md:5:34: error missing-anchor '#impact' is not a heading or id in " \
           "docs/en/knowledge/events/e1.md" in out
    assert "no en translation (docs/en/01-start/second.md)" in out
    assert "docs/en/01-start/missing.md does not exist" in out
    root, files = books["projects"]
    out = _cli(root, "check", files).stdout
    assert "en/docs/01-start/index.md:5:34: error missing-anchor" in out
    assert "en/docs/01-start/missing.md does not exist" in out


def test_every_layout_gives_the_same_translation_status(books) -> None:
    seen = {}
    for layout in LAYOUTS:
        root, files = books[layout]
        proc = _cli(root, "status", files, "--format", "json", "--no-git")
        assert proc.returncode == 0, proc.stderr
        seen[layout] = sorted((_logical(layout, s["base"]), s["lang"], s["state"],
                               _logical(layout, s["translation"]) if s["translation"] else None)
                              for s in json.loads(proc.stdout))
    assert seen["suffix"] == seen["folder"] == seen["projects"]
    assert (("zh", "01-start/second.md"), "en", "missing", None) in seen["suffix"]
    assert sum(s[2] == "translated" for s in seen["suffix"]) == 4


def test_a_link_into_the_other_language_folder_is_the_wrong_language(tmp_path: Path) -> None:
    files = write_book(tmp_path, "folder")
    write(tmp_path, "docs/zh/01-start/third.md", "# 三\n\n[英文版](../../en/01-start/index.md)\n")
    out = _cli(tmp_path, "check", files).stdout
    assert "docs/zh/01-start/third.md:3:1: error wrong-language link '../../en/01-start/index.md' points " \
           "into the en file docs/en/01-start/index.md" in out


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = {}
    for layout in ("suffix", "folder", "explicit"):
        root = tmp_path_factory.mktemp(f"site-{layout}")
        write_book(root, layout)
        out[layout] = build(root, strict=False)
    return out


def _links(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a[^>]*href="([^"]*)"[^>]*>\s*([^<]*)</a>', html)


def test_both_sites_have_the_same_navigation_and_links(sites) -> None:
    for page in ("index.html", "en/index.html", "en/01-start/index.html", "knowledge/events/e1/index.html"):
        suffix, folder, explicit = ((sites[k].site / page).read_text(encoding="utf-8")
                                    for k in ("suffix", "folder", "explicit"))
        assert _links(suffix) == _links(folder) == _links(explicit), page
    en = _links((sites["folder"].site / "en/index.html").read_text(encoding="utf-8"))
    # Titled in the reader's language; the untranslated page by its own title; no language folder.
    assert ("01-start/", "Start") in en and ("01-start/second/", "第二节") in en
    assert not any(href.startswith(("zh/", "docs/", "en/")) for href, _text in en)


@pytest.mark.parametrize("layout", ["suffix", "folder", "explicit"])
def test_the_book_builds_with_the_same_pages(sites, layout: str) -> None:
    result = sites[layout]
    assert result.returncode == 0, result.output
    pages = sorted(p.relative_to(result.site).as_posix() for p in result.site.rglob("*.html"))
    assert pages == sorted([
        "404.html", "index.html", "01-start/index.html", "01-start/second/index.html",
        "knowledge/events/e1/index.html", "knowledge/concepts/c1/index.html",
        "timeline/index.html", "concepts/index.html", "graph/index.html",
        "en/index.html", "en/01-start/index.html", "en/01-start/second/index.html",
        "en/knowledge/events/e1/index.html", "en/knowledge/concepts/c1/index.html",
        "en/timeline/index.html", "en/concepts/index.html", "en/graph/index.html"])
    en = (result.site / "en/01-start/index.html").read_text(encoding="utf-8")
    assert '<a href="../knowledge/events/e1/">Release</a>' in en  # [[e1]] in the reader's language
    assert "<h1" in en and "Start" in en
    fallback = (result.site / "en/01-start/second/index.html").read_text(encoding="utf-8")
    assert 'lang="zh"' in fallback  # the untranslated page, shown in Chinese
    # The problems the build reports name the repository's files.
    if layout == "folder":
        assert "docs/en/01-start/index.md:5:34" in result.output
    assert (result.site / "index.html").read_text(encoding="utf-8").count("首页") >= 1


def test_a_missing_docs_dir_is_a_configuration_error(tmp_path: Path) -> None:
    write(tmp_path, "mkdocs.yml", "site_name: x\ndocs_dir: chapters\nplugins:\n  - chronicle\n")
    for command in ("check", "status"):
        proc = _cli(tmp_path, command, [])
        assert proc.returncode == 2, proc.stdout
        assert "mkdocs.yml: docs_dir: 'chapters' is not a folder" in proc.stderr
        assert "files checked" not in proc.stdout and "Traceback" not in proc.stderr


def test_a_missing_docs_dir_of_another_project_is_a_configuration_error(tmp_path: Path) -> None:
    files = write_book(tmp_path, "projects")
    (tmp_path / "en/mkdocs.yml").write_text("INHERIT: ../mkdocs.yml\ntheme:\n  name: mkdocs\n  language: en\n"
                                        "docs_dir: english\n", encoding="utf-8")
    for command in ("check", "status"):
        proc = _cli(tmp_path, command, files)
        assert proc.returncode == 2, proc.stdout
        assert "en/mkdocs.yml: docs_dir: 'english' is not a folder" in proc.stderr
    (tmp_path / "en/mkdocs.yml").write_text("INHERIT: ../mkdocs.yml\n", encoding="utf-8")
    proc = _cli(tmp_path, "check", files)
    assert proc.returncode == 2 and "its language is zh" in proc.stderr


def test_a_folder_book_without_the_default_language_folder_is_refused(tmp_path: Path) -> None:
    files = write_book(tmp_path, "folder")
    (tmp_path / "docs/zh").rename(tmp_path / "docs/cn")
    proc = _cli(tmp_path, "check", files)
    assert proc.returncode == 2
    assert "docs_structure: folder, but docs_dir 'docs' has no folder 'zh'" in proc.stderr
    result = build(tmp_path, strict=False)
    assert result.returncode != 0 and "has no folder 'zh'" in result.output
    assert "Traceback" not in result.output


def test_the_layout_maps_paths_both_ways() -> None:
    folder = Layout("folder", "zh", ("zh", "en"), (Root("docs/zh", "docs", "zh"), Root("docs/en", "docs", "en")))
    assert folder.locate("docs/en/a/x.md") == ("docs/a/x.md", "en")
    assert folder.locate("docs/zh/a/x.md") == ("docs/a/x.md", "zh")
    assert folder.book_path("docs/en/a/img.png") == "docs/a/img.en.png"
    assert folder.place("docs/a/x.md", "en") == "docs/en/a/x.md"
    for real in ("docs/en/a/x.md", "docs/zh/a/x.md", "docs/en/img.png"):
        assert folder.real(folder.book_path(real)) == real
    projects = Layout("projects", "zh", ("zh", "en"), (Root("en/docs", "docs", "en"),))
    assert projects.locate("en/docs/x.md") == ("docs/x.md", "en")
    assert projects.locate("docs/x.md") == ("docs/x.md", "zh")
    assert projects.place("docs/x.md", "en") == "en/docs/x.md"
    assert real_paths("see docs/x.en.md and docs/x.md", projects) == "see en/docs/x.md and docs/x.md"
    assert Layout().locate("m/x.md") == ("m/x.md", "zh")


def test_the_staged_book_follows_the_repository(tmp_path: Path) -> None:
    # The staging folder holds the folder book's files as x.md / x.en.md symlinks: a file
    # deleted from the repository leaves it, a second build leaves the rest alone.
    write_book(tmp_path, "folder")
    assert build(tmp_path, strict=False).returncode == 0
    staged = tmp_path / ".site-src/docs"
    link = staged / "01-start/index.en.md"
    assert link.is_symlink() and link.resolve() == (tmp_path / "docs/en/01-start/index.md").resolve()
    kept = staged / "index.en.md"
    before = kept.lstat().st_mtime_ns
    (tmp_path / "docs/en/01-start/index.md").unlink()
    result = build(tmp_path, strict=False)
    assert result.returncode == 0, result.output
    assert not link.exists() and not link.is_symlink()
    assert kept.lstat().st_mtime_ns == before
    page = (result.site / "en/01-start/index.html").read_text(encoding="utf-8")
    assert 'lang="zh"' in page  # now shown untranslated
    proc = _cli(tmp_path, "status", [], "--no-git")
    assert ["docs/zh/01-start/index.md", "en", "missing"] in [line.split() for line in proc.stdout.splitlines()]


def test_projects_whose_first_config_has_static_i18n(tmp_path: Path, books) -> None:
    # The languages then come from plugins.i18n; en/mkdocs.yml inherits them and says its own.
    files = write_book(tmp_path, "projects")
    yml = (tmp_path / "mkdocs.yml").read_text(encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(yml.replace("plugins:\n", "plugins:\n" + _I18N.format(structure="suffix")),
                                         encoding="utf-8")
    assert _problems({"projects": (tmp_path, files)}, "projects") == _problems(books, "projects")


def test_serve_watches_the_language_folders(tmp_path: Path) -> None:
    # The staged folder holds symlinks to files: edits to them happen in docs/zh and docs/en.
    from chronicle.plugin import ChroniclePlugin
    from mkdocs.config import load_config

    write_book(tmp_path, "folder")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    plugin = config.plugins["chronicle"]
    assert isinstance(plugin, ChroniclePlugin)
    config.plugins.on_config(config)

    class Server:
        def __init__(self) -> None:
            self.watched: list[str] = []

        def watch(self, path: str) -> None:
            self.watched.append(path)

    server = Server()
    plugin.on_serve(server, config=config, builder=lambda: None)
    assert sorted(server.watched) == [str(tmp_path / "docs/en"), str(tmp_path / "docs/zh")]


# -- a suffix book whose default-language files may name their language (`x.zh.md`) ----------

def test_named_default_files_are_reported_by_their_own_names(books) -> None:
    root, files = books["explicit"]
    out = _cli(root, "check", files).stdout
    assert "docs/01-start/index.zh.md:5:4: error missing-file link 'missing.md'" in out
    assert "orphan-translation" not in out and "index.zh.en.md" not in out
    proc = _cli(root, "status", files, "--format", "json", "--no-git")
    rows = {(s["base"], s["state"], s["translation"]) for s in json.loads(proc.stdout)}
    assert ("docs/01-start/index.zh.md", "translated", "docs/01-start/index.en.md") in rows
    assert ("docs/knowledge/events/e1.zh.md", "translated", "docs/knowledge/events/e1.en.md") in rows


def test_both_names_of_one_page_is_a_duplicate_page(tmp_path: Path) -> None:
    write_book(tmp_path, "explicit")
    write(tmp_path, "docs/index.zh.md", "# 另一个首页\n\n[[nope-in-the-duplicate]]\n")
    proc = _cli(tmp_path, "check", [], "--format", "json")
    problems = json.loads(proc.stdout)["problems"]
    dup = [p for p in problems if p["code"] == "duplicate-page"]
    assert [(p["file"], p["line"], p["severity"]) for p in dup] == [("docs/index.zh.md", 1, "error")]
    assert "docs/index.md" in dup[0]["message"] and dup[0]["hint"]
    # Left out: neither read (its unknown id is not reported) nor published.
    assert not any(p["file"] == "docs/index.zh.md" and p["code"] != "duplicate-page" for p in problems)
    result = build(tmp_path, strict=False)
    assert result.returncode == 0, result.output  # static-i18n would stop on the pair
    assert "Traceback" not in result.output and "Conflicting files" not in result.output
    home = (result.site / "index.html").read_text(encoding="utf-8")
    assert "第一章" in home and "另一个首页" not in home
    strict = build(tmp_path)
    assert strict.returncode != 0 and "docs/index.zh.md:1:1" in strict.output


def test_a_link_to_the_named_file_works_in_the_check_and_the_site(tmp_path: Path) -> None:
    write_book(tmp_path, "explicit")
    write(tmp_path, "docs/third.md",
          "# 三\n\n[开始](01-start/index.zh.md) 与 [事件](knowledge/events/e1.zh.md#impact)\n")
    write(tmp_path, "docs/third.en.md", "# Three\n\n[Start](01-start/index.en.md)\n")
    out = _cli(tmp_path, "check", []).stdout
    assert "docs/third.md" not in out and "docs/third.en.md" not in out
    result = build(tmp_path, strict=False)
    assert result.returncode == 0, result.output
    page = (result.site / "third/index.html").read_text(encoding="utf-8")
    assert '<a href="../01-start/">开始</a>' in page
    assert '<a href="../knowledge/events/e1/#impact">事件</a>' in page
    assert '<a href="../01-start/">Start</a>' in (result.site / "en/third/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("layout", "zh", "en", "untranslated"), [
    ("explicit", "docs/01-start/index.zh.md", "docs/01-start/index.en.md", "docs/01-start/second.md"),
    ("folder", "docs/zh/01-start/index.md", "docs/en/01-start/index.md", "docs/zh/01-start/second.md"),
    ("suffix", "docs/01-start/index.md", "docs/01-start/index.en.md", "docs/01-start/second.md"),
])
def test_edit_links_open_the_repository_file(tmp_path: Path, layout: str, zh: str, en: str,
                                             untranslated: str) -> None:
    # MkDocs' meaning of edit_uri: the path from repo_url to docs_dir.
    write_book(tmp_path, layout)
    yml = (tmp_path / "mkdocs.yml").read_text(encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("repo_url: https://example.org/r\nedit_uri: edit/main/docs/\n" + yml,
                                         encoding="utf-8")
    result = build(tmp_path, strict=False)
    assert result.returncode == 0, result.output
    for page, real in (("01-start/index.html", zh), ("en/01-start/index.html", en),
                       ("en/01-start/second/index.html", untranslated)):
        html = (result.site / page).read_text(encoding="utf-8")
        assert f'href="https://example.org/r/edit/main/{real}"' in html, re.findall(r'href="[^"]*edit[^"]*"', html)


def test_edit_url_follows_mkdocs_meaning_of_edit_uri() -> None:
    from chronicle.layouts import edit_url

    assert edit_url("https://h/r", "edit/main/docs/", "docs", "docs/a/x.zh.md") == "https://h/r/edit/main/docs/a/x.zh.md"
    # A card beside docs_dir, in a book whose edit_uri points at docs_dir.
    assert edit_url("https://h/r/", "edit/main/manuscript/", "manuscript", "knowledge/e.md") == \
        "https://h/r/edit/main/knowledge/e.md"
    # An edit_uri that stops at a branch is the project's root (this book's own).
    assert edit_url("https://h/r", "edit/main/", "manuscript", "manuscript/x.md") == "https://h/r/edit/main/manuscript/x.md"
    assert edit_url("https://h/r", "edit/main/src/docs/", "src/docs", "en/docs/x.md") == \
        "https://h/r/edit/main/en/docs/x.md"
    assert edit_url(None, "https://h/r/edit/main/docs/", "docs", "docs/x.md") == "https://h/r/edit/main/docs/x.md"
    # krahets/hello-algo: docs_dir build/docs is a copy of docs/, which its edit_uri names.
    assert edit_url("https://github.com/k/h", "tree/main/docs", "build/docs", "build/docs/ch/x.md") == \
        "https://github.com/k/h/tree/main/docs/ch/x.md"
    assert edit_url("https://gitlab.com/k/h", "-/edit/main/", "docs", "docs/x.md") == \
        "https://gitlab.com/k/h/-/edit/main/docs/x.md"


def test_a_named_default_file_maps_both_ways() -> None:
    from chronicle.layouts import unsuffixed

    layout = Layout("suffix", "zh", ("zh", "en"), renamed=frozenset({"docs/a/index.md"}))
    assert layout.book_path("docs/a/index.zh.md") == "docs/a/index.md"
    assert layout.locate("docs/a/index.zh.md") == ("docs/a/index.md", "zh")
    assert layout.real("docs/a/index.md") == "docs/a/index.zh.md"
    assert layout.real("docs/a/index.en.md") == "docs/a/index.en.md"  # translations keep their names
    assert layout.real("docs/b.md") == "docs/b.md" and layout.mapped and layout.maps("docs")
    assert real_paths("see docs/a/index.md, not docs/a/index.en.md", layout) == \
        "see docs/a/index.zh.md, not docs/a/index.en.md"
    assert unsuffixed("docs/zh.md", "zh") == "docs/zh.md"  # a page named after the language
    assert unsuffixed("docs/img.zh.png", "zh") == "docs/img.png"
    assert unsuffixed("docs/x.en.md", "zh") == "docs/x.en.md"
    # Not in a folder book: there the folder says the language.
    assert Layout("folder", "zh", ("zh", "en")).book_path("docs/x.zh.md") == "docs/x.zh.md"


def test_mv_refuses_what_it_cannot_move_whole(tmp_path: Path) -> None:
    # mv knows x.md / x.en.md names: a file of another name, or a folder book, is refused
    # (exit 2, nothing changed) rather than moved without its translations.
    write_book(tmp_path / "e", "explicit")
    before = sorted(p.as_posix() for p in (tmp_path / "e").rglob("*.md"))
    for old, new in (("docs/01-start/index.zh.md", "docs/01-start/begin.md"), ("docs/01-start", "docs/02-begin")):
        proc = _cli(tmp_path / "e", "mv", [old, new, "--root", str(tmp_path / "e"), "--apply"])
        assert proc.returncode == 2 and "docs/01-start/index.zh.md names the default language" in proc.stderr
        assert "Traceback" not in proc.stderr
    assert sorted(p.as_posix() for p in (tmp_path / "e").rglob("*.md")) == before
    write_book(tmp_path / "f", "folder")
    proc = _cli(tmp_path / "f", "mv", ["docs/zh/01-start", "docs/zh/02-begin", "--root", str(tmp_path / "f")])
    assert proc.returncode == 2 and "keeps each language in a folder" in proc.stderr


@pytest.mark.parametrize("layout", ["suffix", "explicit"])
def test_serving_a_book_with_named_default_files(tmp_path: Path, layout: str) -> None:
    # A save to x.zh.md (served through the staged x.md) is served as a clean build makes it.
    from servetools import Server, append_to, clean_build, differences, replace_in

    root = tmp_path / "book"
    write_book(root, layout)
    zh = {"suffix": ".md", "explicit": ".zh.md"}[layout]
    yml = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text("site_url: https://example.org/l/\n" + yml, encoding="utf-8")
    server = Server(root)
    try:
        server.wait_ready()
        edits = (lambda: append_to(root, f"docs/01-start/index{zh}", "\n\n服务时写下的段落。\n"),
                 lambda: replace_in(root, f"docs/knowledge/events/e1{zh}", "title: 发布", "title: 发布了"))
        for i, edit in enumerate(edits):
            before = server.builds()
            edit()
            server.wait_rebuild(before)
            site = clean_build(root, tmp_path / f"clean{i}")
            problems = differences(server, site, "https://example.org/l/")
            assert problems == [], "\n".join(problems[:3])
        page = server.get("01-start/")
        assert page is not None and "服务时写下的段落" in page.decode("utf-8")
        assert "发布了" in page.decode("utf-8")  # the card's new title, in the chapter's [[e1]]
    finally:
        server.stop()
