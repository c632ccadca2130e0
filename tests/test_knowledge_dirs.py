"""Cards in several folders (`knowledge_dirs`): each mounted into the site under its own name,
each card's kind taken from its id field wherever it lives."""

from __future__ import annotations

import json
import re

import pytest
from conftest import MINI_BOOK, MKDOCS_YML, build, check, write_book

YML = MKDOCS_YML.replace("  - chronicle\n", "  - chronicle:\n      knowledge_dirs: [knowledge, research]\n")

FILES = {
    **MINI_BOOK,
    "manuscript/01-intro/intro.md": MINI_BOOK["manuscript/01-intro/intro.md"].replace(
        "## 争论 {#debate}",
        "研究机构见 [[openai]] 与[组织页](../../research/orgs/openai.md#history)，事件丙见 [[evt-c]]。\n\n"
        "        ![[evt-c]]\n\n        ## 争论 {#debate}"),
    "research/orgs/openai.md": """
        ---
        id: openai
        title: OpenAI 组织
        ---
        # OpenAI 组织

        ## 历史 {#history}

        见 [[evt-a]] 与[第一章](../../manuscript/01-intro/intro.md#debate)。
        """,
    "research/orgs/openai.en.md": """
        ---
        title: OpenAI, the organization
        ---
        # OpenAI, the organization

        ## History {#history}

        See [[evt-a]].
        """,
    # An event card outside any events/ folder: its event_id says what it is.
    "research/timeline/evt-c.md": """
        ---
        event_id: evt-c
        date: 2019-08
        title: 事件丙
        title_en: Event C
        causal_connections:
          - enabled_by: [evt-b]
        ---
        # 事件丙

        第三件事，见 [OpenAI](../orgs/openai.md)。
        """,
}


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory):
    return write_book(tmp_path_factory.mktemp("kd") / "b", FILES, YML)


def test_links_into_every_card_folder_check_clean(book):
    proc = check(book, "--format", "json")
    problems = json.loads(proc.stdout)["problems"]
    assert [p for p in problems if p["severity"] == "error"] == [] and proc.returncode == 0, problems


def test_every_card_folder_is_mounted_and_its_cards_are_cards(book):
    result = build(book, strict=True)
    assert result.returncode == 0, result.output
    org = result.page("research/orgs/openai/")
    assert "OpenAI 组织" in org and 'href="../../../01-intro/intro/#debate"' in org
    assert "OpenAI, the organization" in result.page("en/research/orgs/openai/")
    card = result.page("research/timeline/evt-c/")
    assert 'class="chronicle-meta"' in card  # a card page, with its panel
    chapter = result.page("01-intro/intro/")
    assert re.search(r'<a href="../../research/orgs/openai/#history">', chapter), chapter
    assert re.search(r'href="../../research/timeline/evt-c/"[^>]*>事件丙</a>', chapter)
    assert "chronicle-card--event" in chapter  # ![[evt-c]] embeds it as a card
    assert "Event C" in result.page("en/research/timeline/evt-c/")
    timeline = result.page("timeline/")
    assert "事件丙" in timeline[timeline.index("<article"):]


def test_without_the_folder_its_links_are_not_part_of_the_site(tmp_path):
    root = write_book(tmp_path / "b", FILES)  # knowledge_dir only
    problems = json.loads(check(root, "--format", "json").stdout)["problems"]
    errors = {(p["file"], p["code"]) for p in problems if p["severity"] == "error"}
    assert ("manuscript/01-intro/intro.md", "not-in-site") in errors or \
        ("manuscript/01-intro/intro.md", "unknown-id") in errors, problems


@pytest.mark.parametrize("option,message", [
    ("knowledge_dirs: [knowledge, knowledge/events]", "overlap"),
    ("knowledge_dirs: [knowledge, ..]", "knowledge_dirs[1]"),
    ("knowledge_dirs: [knowledge, manuscript/..]", "overlap"),
])
def test_card_folders_that_overlap_or_leave_the_project_are_refused(tmp_path, option, message):
    yml = MKDOCS_YML.replace("  - chronicle\n", f"  - chronicle:\n      {option}\n")
    root = write_book(tmp_path / "b", MINI_BOOK, yml)
    proc = check(root)
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    result = build(root, strict=False)
    assert result.returncode == 1 and message in result.output
