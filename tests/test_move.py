"""`chronicle mv` on a real two-language book: every reference follows, the book still checks
clean and builds strict with no broken link, and moving back restores every byte."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from chronicle import move
from chronicle.book import fingerprint
from conftest import MINI_BOOK, MKDOCS_YML, _env, build, check, write_book

NAV_YML = MKDOCS_YML + """\
nav:
  # The chapters, in reading order (this comment must survive a move).
  - 首页: index.md
  - 第一章: 01-intro/intro.md   # the first
  - 第二章: 02-more/more.md
  - 知识库:
      - 事件甲: ../knowledge/events/evt-a.md
      - 概念: ../knowledge/concepts/
"""

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

MORE_ZH = """\
---
title: 第二章
see_also: ../01-intro/intro.md
tags: [gpt/2, history]
---
# 第二章

回到[第一章](../01-intro/intro.md#debate "第一章的争论")，或[第一章][ch1]，
或 [[01-intro]]、[[intro-chapter]]、[[ 01-intro#debate | 争论 ]]。

图：![一张图](../01-intro/figure.png) 与 <img src="../01-intro/figure.png" alt="图" data-raw>，
以及 <a href="../01-intro/intro.md#top" data-raw>第一章</a>。

卡片：[事件甲](../../knowledge/events/evt-a.md#overview)、[[evt-a]]、[注意力](../../knowledge/concepts/attention.md)、[[attention|注意力机制]]。

代码里的 `../01-intro/intro.md` 与 `[[attention]]` 不变：

```text
[第一章](../01-intro/intro.md) [[01-intro]] [[attention]]
```

[ch1]: ../01-intro/intro.md
"""

# The translation has a BOM and Windows line endings: both must come back byte for byte.
MORE_EN = ("\ufeff" + """\
# Chapter two

Back to [chapter one](../01-intro/intro.md#debate), or [chapter one][ch1], or [[01-intro]].

A figure: ![a figure](../01-intro/figure.png). Cards: [event A](../../knowledge/events/evt-a.md#overview),
[[attention]].

    [indented code](../01-intro/intro.md) [[attention]]

[ch1]: <../01-intro/intro.md>
""").replace("\n", "\r\n")

ATTENTION = """\
---
title: 注意力
title_en: Attention
introduced: 2017
related_concepts: [concept-x]
---
# 注意力

一个概念，见[第一章](../../manuscript/01-intro/intro.md)。
"""

ATTENTION_EN = """\
---
title: Attention
translated_from: "{fp}"
---
# Attention

A concept, see [chapter one](../../manuscript/01-intro/intro.md).
"""


def book_files() -> dict[str, str]:
    files = dict(MINI_BOOK)
    files["manuscript/02-more/more.md"] = MORE_ZH
    files["knowledge/concepts/attention.md"] = ATTENTION
    files["knowledge/concepts/attention.en.md"] = ATTENTION_EN.format(fp=fingerprint(ATTENTION))
    files["knowledge/events/evt-a.md"] = files["knowledge/events/evt-a.md"].replace(
        "technical_concepts: [concept-x]", "technical_concepts: [concept-x, attention]")
    files["knowledge/events/evt-a.md"] += "\n        之后是[事件乙](evt-b.md)。\n"
    files["knowledge/concepts/concept-x.md"] = files["knowledge/concepts/concept-x.md"].replace(
        "introduced: 2019", "introduced: 2019\n        related_concepts:\n          - attention")
    return files


def make_book(root: Path) -> Path:
    write_book(root, book_files(), NAV_YML)
    (root / "manuscript/02-more/more.en.md").write_bytes(MORE_EN.encode("utf-8"))
    (root / "manuscript/01-intro/figure.png").write_bytes(PNG)
    (root / "knowledge/timeline").mkdir()
    return root


def snapshot(root: Path) -> dict[str, str]:
    """sha256 of every file of the book (not the built site, the cache or git's own files)."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith(("site/", ".")) and "/." not in rel:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def mv(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "chronicle.cli", "mv", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=_env(), cwd=root)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if any(name == "data-raw" for name, _ in attrs):
            return  # raw HTML: MkDocs leaves its source-relative URLs as written, moved or not
        for name, value in attrs:
            if value and ((tag == "a" and name == "href") or (tag == "img" and name == "src")):
                self.urls.append(value)


def broken_links(site: Path) -> list[str]:
    """Every relative <a href> and <img src> of the built site that leads to no file."""
    broken = []
    for page in site.rglob("*.html"):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for url in parser.urls:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            folder = site if parts.path.startswith("/") else page.parent  # 404.html's are absolute
            target = (folder / unquote(parts.path).lstrip("/")).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(site)}: {url}")
    return broken


def assert_clean(root: Path) -> None:
    result = check(root, "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 error(s)" in result.stdout, result.stdout
    built = build(root)
    assert built.returncode == 0, built.output
    assert not broken_links(built.site), broken_links(built.site)


@pytest.fixture(scope="module")
def clean_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The book checks and builds clean before any move (else the tests below prove nothing)."""
    root = make_book(tmp_path_factory.mktemp("before") / "book")
    assert_clean(root)
    return root


def text(root: Path, rel: str) -> str:
    return (root / rel).read_bytes().decode("utf-8")


MOVES = {
    "chapter-file": ("manuscript/02-more/more.md", "manuscript/02-more/further.md"),
    "chapter-folder": ("manuscript/01-intro", "manuscript/02-intro"),
    "event-card": ("knowledge/events/evt-a.md", "knowledge/timeline/evt-a.md"),
    "concept-card": ("knowledge/concepts/attention.md", "knowledge/concepts/self-attention.md"),
}


def expect_after(name: str, root: Path) -> None:
    """What each move must have rewritten, and left alone."""
    if name == "chapter-file":
        assert not (root / "manuscript/02-more/more.md").exists()
        assert not (root / "manuscript/02-more/more.en.md").exists()
        assert (root / "manuscript/02-more/further.en.md").read_bytes() == MORE_EN.encode("utf-8")
        assert "第二章: 02-more/further.md" in text(root, "mkdocs.yml")
    elif name == "chapter-folder":
        assert not (root / "manuscript/01-intro").exists()
        assert (root / "manuscript/02-intro/figure.png").read_bytes() == PNG
        more = text(root, "manuscript/02-more/more.md")
        assert "[第一章](../02-intro/intro.md#debate \"第一章的争论\")" in more
        assert "[[02-intro]]" in more and "[[intro-chapter]]" in more and "[[ 02-intro#debate | 争论 ]]" in more
        assert "![一张图](../02-intro/figure.png)" in more and '<img src="../02-intro/figure.png"' in more
        assert '<a href="../02-intro/intro.md#top" data-raw>' in more
        assert "[ch1]: ../02-intro/intro.md\n" in more
        assert "see_also: ../02-intro/intro.md\n" in more
        # Code is never rewritten.
        assert "`../01-intro/intro.md`" in more and "[第一章](../01-intro/intro.md) [[01-intro]]" in more
        en = (root / "manuscript/02-more/more.en.md").read_bytes()
        assert en.startswith(b"\xef\xbb\xbf") and en.count(b"\r\n") == MORE_EN.count("\r\n")
        assert b"[ch1]: <../02-intro/intro.md>\r\n" in en and b"(../01-intro/intro.md) [[attention]]" in en
        assert "chapter_id: 02-intro" in text(root, "knowledge/events/evt-a.md")
        # The translation was up to date with its original, whose links changed: it still is.
        attention = text(root, "knowledge/concepts/attention.md")
        assert "(../../manuscript/02-intro/intro.md)" in attention
        assert f'translated_from: "{fingerprint(attention)}"' in text(root, "knowledge/concepts/attention.en.md")
        assert "stale-translation" not in check(root, "--no-cache").stdout
        assert "[[02-intro]]" in text(root, "manuscript/index.en.md")
        yml = text(root, "mkdocs.yml")
        assert "第一章: 02-intro/intro.md   # the first" in yml and "this comment must survive" in yml
    elif name == "event-card":
        assert (root / "knowledge/timeline/evt-a.en.md").is_file()
        assert "(../../knowledge/timeline/evt-a.md#overview)" in text(root, "manuscript/02-more/more.md")
        assert "(../../knowledge/timeline/evt-a.md#overview)" in text(root, "manuscript/01-intro/intro.en.md")
        assert "事件甲: ../knowledge/timeline/evt-a.md" in text(root, "mkdocs.yml")
        # Its own links keep leading where they did (the same depth: unchanged).
        assert "(../../manuscript/01-intro/intro.md#debate)" in text(root, "knowledge/timeline/evt-a.md")
        assert "[事件乙](../events/evt-b.md)" in text(root, "knowledge/timeline/evt-a.md")  # and back: evt-b.md
    elif name == "concept-card":
        more = text(root, "manuscript/02-more/more.md")
        assert "[[self-attention|注意力机制]]" in more and "(../../knowledge/concepts/self-attention.md)" in more
        assert "`[[attention]]`" in more
        assert "technical_concepts: [concept-x, self-attention]" in text(root, "knowledge/events/evt-a.md")
        assert "  - self-attention\n" in text(root, "knowledge/concepts/concept-x.md")
        assert (root / "knowledge/concepts/self-attention.en.md").is_file()


@pytest.mark.parametrize("name", list(MOVES))
def test_move_keeps_the_book_clean_and_round_trips(clean_book: Path, tmp_path: Path, name: str) -> None:
    root = make_book(tmp_path / "book")
    before = snapshot(root)
    old, new = MOVES[name]
    result = mv(root, old, new, "--apply")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"move {old}" in result.stdout and "applied:" in result.stdout
    expect_after(name, root)
    assert_clean(root)
    back = mv(root, new, old, "--apply")
    assert back.returncode == 0, back.stdout + back.stderr
    assert snapshot(root) == before


def test_move_of_a_chapter_file_to_another_folder_rewrites_its_own_links(tmp_path: Path) -> None:
    root = make_book(tmp_path / "book")
    before = snapshot(root)
    result = mv(root, "manuscript/02-more/more.md", "manuscript/02-more/part/more.md", "--apply")
    assert result.returncode == 0, result.stdout + result.stderr
    more = text(root, "manuscript/02-more/part/more.md")
    assert "[第一章](../../01-intro/intro.md#debate \"第一章的争论\")" in more
    assert "![一张图](../../01-intro/figure.png)" in more and "see_also: ../../01-intro/intro.md\n" in more
    assert "(../../../knowledge/events/evt-a.md#overview)" in more
    assert "`../01-intro/intro.md`" in more  # code
    assert "tags: [gpt/2, history]" in more  # not a path of the book
    en = (root / "manuscript/02-more/part/more.en.md").read_bytes()
    assert b"[ch1]: <../../01-intro/intro.md>\r\n" in en and en.startswith(b"\xef\xbb\xbf")
    assert "第二章: 02-more/part/more.md" in text(root, "mkdocs.yml")
    result = check(root, "--no-cache")
    assert result.returncode == 0, result.stdout
    assert mv(root, "manuscript/02-more/part/more.md", "manuscript/02-more/more.md", "--apply").returncode == 0
    assert not (root / "manuscript/02-more/part").exists()
    assert snapshot(root) == before


def test_moving_an_image_rewrites_what_shows_it_and_root_option(tmp_path: Path) -> None:
    root = make_book(tmp_path / "book")
    before = snapshot(root)
    # From the folder above the book, with --root: the paths are the book's.
    result = mv(root.parent, "manuscript/01-intro/figure.png", "manuscript/02-more/fig.png",
                "--root", "book", "--apply")
    assert result.returncode == 0, result.stdout + result.stderr
    more = text(root, "manuscript/02-more/more.md")
    assert "![一张图](fig.png)" in more and '<img src="fig.png"' in more
    assert b"![a figure](fig.png)" in (root / "manuscript/02-more/more.en.md").read_bytes()
    assert (root / "manuscript/02-more/fig.png").read_bytes() == PNG
    assert check(root, "--no-cache").returncode == 0
    assert mv(root, "manuscript/02-more/fig.png", "manuscript/01-intro/figure.png", "--apply").returncode == 0
    assert snapshot(root) == before


def test_dry_run_changes_nothing_and_shows_the_diff(tmp_path: Path) -> None:
    root = make_book(tmp_path / "book")
    before = snapshot(root)
    result = mv(root, "manuscript/01-intro", "manuscript/02-intro")
    assert result.returncode == 0, result.stderr
    assert snapshot(root) == before
    out = result.stdout
    assert "--- a/manuscript/02-more/more.md\n+++ b/manuscript/02-more/more.md" in out
    assert "-回到[第一章](../01-intro/intro.md#debate" in out and "+回到[第一章](../02-intro/intro.md#debate" in out
    assert "move manuscript/01-intro/intro.md -> manuscript/02-intro/intro.md" in out
    assert "move manuscript/01-intro/intro.en.md -> manuscript/02-intro/intro.en.md" in out
    assert "dry run:" in out and "nothing was changed" in out


def test_running_the_same_move_twice_does_nothing_the_second_time(tmp_path: Path) -> None:
    root = make_book(tmp_path / "book")
    assert mv(root, "knowledge/events/evt-a.md", "knowledge/timeline/evt-a.md", "--apply").returncode == 0
    after = snapshot(root)
    again = mv(root, "knowledge/events/evt-a.md", "knowledge/timeline/evt-a.md", "--apply")
    assert again.returncode == 0, again.stderr
    assert "nothing to do" in again.stdout
    assert snapshot(root) == after


def test_refuses_an_existing_target(tmp_path: Path) -> None:
    root = make_book(tmp_path / "book")
    before = snapshot(root)
    result = mv(root, "knowledge/events/evt-a.md", "knowledge/events/evt-b.md", "--apply", "--force")
    assert result.returncode == 2
    assert "refused: knowledge/events/evt-b.md already exists" in result.stderr
    # A translation's target counts too.
    (root / "knowledge/events/evt-c.en.md").write_text("# C\n", encoding="utf-8")
    result = mv(root, "knowledge/events/evt-a.md", "knowledge/events/evt-c.md", "--apply")
    assert result.returncode == 2 and "knowledge/events/evt-c.en.md already exists" in result.stderr
    (root / "knowledge/events/evt-c.en.md").unlink()
    assert snapshot(root) == before


def test_refuses_a_move_out_of_the_book(tmp_path: Path) -> None:
    root = make_book(tmp_path / "book")
    before = snapshot(root)
    outside = mv(root, "manuscript/02-more/more.md", "../more.md", "--apply")
    assert outside.returncode == 2 and "is outside the book" in outside.stderr, outside.stderr
    top = mv(root, "manuscript/02-more/more.md", "more.md", "--apply")
    assert top.returncode == 2 and "more.md is not inside the book" in top.stderr, top.stderr
    across = mv(root, "knowledge/events/evt-a.md", "manuscript/evt-a.md", "--apply")
    assert across.returncode == 2 and "a move stays in its tree" in across.stderr
    kind = mv(root, "knowledge/concepts/attention.md", "knowledge/timeline/attention.md", "--apply")
    assert kind.returncode == 2 and "add 'concept_id'" in kind.stderr, kind.stderr
    # The chapter folder's name is the only id of its page: moving the page out would break [[01-intro]].
    orphan = mv(root, "manuscript/01-intro/intro.md", "manuscript/02-more/intro.md", "--apply")
    assert orphan.returncode == 2 and "[[01-intro]] names manuscript/01-intro/intro.md" in orphan.stderr
    assert "front matter 'id: 01-intro'" in orphan.stderr
    clash = mv(root, "manuscript/02-more/more.md", "manuscript/evt-a/more.md", "--apply")
    assert clash.returncode == 2 and "'02-more' would become 'evt-a', which knowledge/events/evt-a.md" in clash.stderr
    (root / "manuscript/02-more/zz.md").write_text("# ZZ\n", encoding="utf-8")
    clash = mv(root, "manuscript/02-more/zz.md", "manuscript/evt-a/zz.md", "--apply")
    assert clash.returncode == 2 and "'evt-a' would be the id of manuscript/evt-a/zz.md" in clash.stderr
    (root / "manuscript/02-more/zz.md").unlink()
    missing = mv(root, "manuscript/nope.md", "manuscript/other.md")
    assert missing.returncode == 2 and "manuscript/nope.md does not exist" in missing.stderr
    assert snapshot(root) == before


def _git(root: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                          cwd=root, capture_output=True, text=True, check=True)
    return proc.stdout


def test_git_book_uses_git_mv_and_refuses_uncommitted_changes(tmp_path: Path) -> None:
    root = make_book(tmp_path / "book")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "book")
    index = root / "manuscript/index.md"
    index.write_text(index.read_text(encoding="utf-8") + "\n改动。\n", encoding="utf-8")
    before = snapshot(root)
    result = mv(root, "manuscript/01-intro", "manuscript/02-intro", "--apply")
    assert result.returncode == 2
    assert "refused: uncommitted changes in manuscript/index.md" in result.stderr
    assert "--force" in result.stderr
    assert snapshot(root) == before
    # A file the move does not touch may have changes.
    _git(root, "checkout", "--", "manuscript/index.md")
    (root / "knowledge/events/evt-b.md").write_text("changed\n", encoding="utf-8")
    result = mv(root, "knowledge/concepts/attention.md", "knowledge/concepts/self-attention.md", "--apply")
    assert result.returncode == 0, result.stderr
    assert "(git mv)" in result.stdout
    status = _git(root, "status", "--porcelain")
    assert "R  knowledge/concepts/attention.md -> knowledge/concepts/self-attention.md" in status, status
    assert "R  knowledge/concepts/attention.en.md -> knowledge/concepts/self-attention.en.md" in status
    # --force moves in spite of uncommitted changes.
    index.write_text(index.read_text(encoding="utf-8") + "\n改动。\n", encoding="utf-8")
    forced = mv(root, "manuscript/01-intro", "manuscript/02-intro", "--apply", "--force")
    assert forced.returncode == 0, forced.stderr
    assert "[[02-intro]]" in index.read_text(encoding="utf-8") and "改动。" in index.read_text(encoding="utf-8")
    assert "R  manuscript/01-intro/intro.md -> manuscript/02-intro/intro.md" in _git(root, "status", "--porcelain")


@pytest.mark.parametrize(("url", "expected"), [
    ("../01-intro/intro.md?plain=1#debate", "../02-intro/intro.md?plain=1#debate"),
    ("../01-intro/", "../02-intro/"),
    ("../01-intro/a%20b.md", "../02-intro/a%20b.md"),
    ("https://example.org/01-intro/intro.md", None),
    ("#debate", None),
    ("../02-more/more.md", None),
])
def test_urls_keep_their_query_anchor_and_form(url: str, expected: str | None) -> None:
    def moved(path: str) -> str | None:
        old, new = "manuscript/01-intro", "manuscript/02-intro"
        return new + path[len(old):] if path == old or path.startswith(old + "/") else None

    assert move._rewrite_url(url, "manuscript/02-more", "manuscript/02-more", moved) == expected
