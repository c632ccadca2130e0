"""`chronicle check` reads mkdocs.yml as the build does: slugify tags, INHERIT, !ENV."""

from __future__ import annotations

import json
import os
import re

import pytest
from conftest import MINI_BOOK, MKDOCS_YML, assert_exit_matches, build, check, write_book

SLUGIFY = "      slugify: !!python/object/apply:pymdownx.slugs.slugify\n        kwds:\n          case: lower\n"
PAGE = """
    # 第一章 {#top}

    ## 事件概述

    ## Hello World

    [a](#事件概述) [b](#hello-world) [c](#Hello-World)
    """
LOG_RE = re.compile(r"chronicle: (\S+?):(\d+):(\d+): error ([a-z-]+) ")


def _errors_both_ways(root):
    proc = check(root, "--format", "json")
    assert_exit_matches(proc)
    checked = {(p["file"], p["line"], p["column"], p["code"])
               for p in json.loads(proc.stdout)["problems"] if p["severity"] == "error"}
    result = build(root, strict=True)
    assert "Traceback" not in result.output
    built = {(m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)) for m in LOG_RE.finditer(result.output)}
    assert (proc.returncode == 0) == (result.returncode == 0), result.output
    return checked, built


@pytest.mark.parametrize("slugify,broken", [
    ("", {"[a]", "[c]"}),  # the default slugify drops Chinese
    ("      slugify: !!python/name:markdown.extensions.toc.slugify_unicode\n", {"[c]"}),
    (SLUGIFY, {"[c]"}),
    ("      slugify: !!python/object/apply:pymdownx.slugs.slugify {kwds: {case: none}}\n", {"[b]"}),
])
def test_check_and_build_agree_on_each_slugify(tmp_path, slugify, broken):
    yml = MKDOCS_YML.replace(SLUGIFY, slugify)
    assert (slugify == SLUGIFY) or SLUGIFY not in yml
    files = dict(MINI_BOOK, **{"manuscript/01-intro/slugs.md": PAGE})
    root = write_book(tmp_path / "b", files, yml)
    checked, built = _errors_both_ways(root)
    assert checked == built
    text = (root / "manuscript/01-intro/slugs.md").read_text(encoding="utf-8")
    line = text.splitlines()[6]
    columns = {f"[{m.group(1)}]": m.start() + 1 for m in re.finditer(r"\[(\w)\]", line)}
    assert {(f, c) for f, _l, c, code in checked if f.endswith("slugs.md") and code == "missing-anchor"} \
        == {("manuscript/01-intro/slugs.md", columns[name]) for name in broken}


def test_check_reads_an_inherited_config(tmp_path):
    base = MKDOCS_YML.replace(SLUGIFY, "      slugify: !!python/name:markdown.extensions.toc.slugify_unicode\n")
    files = dict(MINI_BOOK, **{"manuscript/01-intro/slugs.md": PAGE})
    root = write_book(tmp_path / "b", files, "INHERIT: base.yml\nsite_name: Child\n")
    (root / "base.yml").write_text(base, encoding="utf-8")
    checked, built = _errors_both_ways(root)
    assert checked == built
    assert {code for f, _l, _c, code in checked if f.endswith("slugs.md")} == {"missing-anchor"}
    assert len([1 for f, *_ in checked if f.endswith("slugs.md")]) == 1  # only [c]: the unicode slugify applies


def test_check_reads_env_tags_as_mkdocs_does(tmp_path):
    yml = MKDOCS_YML.replace("docs_dir: manuscript", "docs_dir: !ENV [CHRONICLE_TEST_DOCS, manuscript]")
    root = write_book(tmp_path / "b", MINI_BOOK, yml)
    assert check(root).returncode == 0  # the default
    os.environ["CHRONICLE_TEST_DOCS"] = "nowhere"
    try:
        proc = check(root)
    finally:
        del os.environ["CHRONICLE_TEST_DOCS"]
    assert proc.returncode == 2
    assert "docs_dir: 'nowhere' is not a folder" in proc.stderr


FENCE = """  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:{name}
"""


def _with_fence(root, name: str) -> None:
    yml = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(yml.replace("markdown_extensions:\n", "markdown_extensions:\n"
                                                 + FENCE.format(name=name), 1), encoding="utf-8")


def test_a_python_tag_the_check_does_not_use_is_not_imported(tmp_path):
    from chronicle import settings

    root = write_book(tmp_path / "b", MINI_BOOK)
    _with_fence(root, "pymdownx.superfences.fence_code_format")
    code = ("import sys; from chronicle.settings import load_settings; load_settings(sys.argv[1], validate=False); "
            "print('pymdownx.superfences' in sys.modules, 'mkdocs.utils.yaml' in sys.modules)")
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
    fence = settings.read_config(root / "mkdocs.yml")["markdown_extensions"][0]
    assert fence["pymdownx.superfences"]["custom_fences"][0]["format"].suffix == (
        "pymdownx.superfences.fence_code_format")
    proc = check(root, "--format", "json")
    assert_exit_matches(proc)
    assert proc.returncode == 0


def test_a_slugify_of_the_books_own_is_built_and_one_that_cannot_be_is_a_config_error(tmp_path):
    root = write_book(tmp_path / "b", MINI_BOOK, MKDOCS_YML.replace(
        "!!python/object/apply:pymdownx.slugs.slugify", "!!python/object/apply:no_such_module.slugify"))
    proc = check(root)
    assert proc.returncode == 2
    assert "no_such_module.slugify" in proc.stderr and "Traceback" not in proc.stderr
