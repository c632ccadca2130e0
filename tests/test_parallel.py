"""fork_map: the answer of one process, whatever the children do."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from chronicle.parallel import fork_call, fork_map

ITEMS = list(range(3000))


def test_results_come_back_in_order_and_the_children_take_part():
    parent = os.getpid()
    ran_first: list[int] = []

    def tag(part):
        return [(x, os.getpid()) for x in part]

    # The parent is busy for a while first: the child must have taken chunks meanwhile.
    result = fork_map(tag, ITEMS, jobs=2, first=lambda: (ran_first.append(os.getpid()), time.sleep(0.3)))
    assert [x for x, _ in result] == ITEMS
    assert ran_first == [parent]
    assert {pid for _, pid in result} - {parent}, "no chunk was done by a child"


def test_chunks_a_failed_child_took_are_done_by_the_parent():
    parent = os.getpid()

    def square(part):
        if os.getpid() != parent:
            raise RuntimeError("a child that dies")
        return [x * x for x in part]

    assert fork_map(square, ITEMS, jobs=2, first=lambda: time.sleep(0.2)) == [x * x for x in ITEMS]


def test_an_error_in_first_ends_the_children_and_is_raised():
    def slow(part):
        time.sleep(0.01)
        return list(part)

    def fail():
        raise ValueError("bad options")

    before = _children()
    with pytest.raises(ValueError, match="bad options"):
        fork_map(slow, ITEMS, jobs=3, first=fail)
    assert _children() == before  # every child ended and was reaped (a zombie is still listed)


def _children() -> set[int]:
    """The processes whose parent is this one, alive or not yet reaped. Read from /proc, not
    with waitpid(-1): other tests' session fixtures (a browser's driver) are children too."""
    me = os.getpid()
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # it ended while we looked
        if int(fields[1]) == me:
            found.add(int(stat.parent.name))
    return found


def test_few_items_are_not_worth_a_fork():
    parent = os.getpid()
    assert fork_map(lambda part: [os.getpid() for _ in part], ITEMS[:10], jobs=2, minimum=200) == [parent] * 10


def test_the_parent_takes_its_own_items_first_and_the_children_the_others():
    parent = os.getpid()

    def tag(part):
        time.sleep(0.02)
        return [(x, os.getpid()) for x in part]

    # The child starts on the front items at once; the parent, busy first, then starts on the
    # last 1,000 (its queue) while the child is still on the front ones.
    result = fork_map(tag, ITEMS, jobs=2, first=lambda: time.sleep(0.1), parent_first=1000)
    assert [x for x, _ in result] == ITEMS
    assert result[0][1] != parent
    assert result[2000][1] == parent
    assert [x for x, _ in fork_map(tag, ITEMS, jobs=2, parent_first=len(ITEMS) + 5)] == ITEMS


@pytest.mark.parametrize(
    ("allowed", "loadavg", "expected"),
    [
        (2, "0.10 0.20 0.30 1/180 4242", 2),  # only this process runs: both CPUs are free
        (2, "1.00 0.90 0.80 2/180 4242", 1),  # one other task runs: one CPU is free
        (2, "7.40 6.30 4.00 9/240 4242", 1),  # a busy machine: never fewer than one
        (8, "2.00 2.00 2.00 3/300 4242", 6),
        (4, "garbage", 4),  # unreadable: what the process may use
    ],
)
def test_workers_are_judged_by_the_cpus_free_now(allowed, loadavg, expected):
    from chronicle.cli import free_cpus

    assert free_cpus(allowed, loadavg) == expected


def test_fork_call_runs_apart_and_raises_there_what_was_raised_in_the_child(tmp_path):
    parent = os.getpid()
    ran = tmp_path / "ran"

    def mark():
        ran.write_text(str(os.getpid()), encoding="utf-8")

    fork_call(mark)()
    assert int(ran.read_text(encoding="utf-8")) != parent

    def refuse():
        raise ValueError(f"refused in {os.getpid()}")

    wait = fork_call(refuse)
    with pytest.raises(ValueError, match="refused in") as caught:
        wait()
    assert str(parent) not in str(caught.value)


def test_fork_call_runs_here_when_the_child_ends_without_an_answer():
    parent = os.getpid()
    ran_in: list[int] = []

    def work():
        if os.getpid() != parent:
            os._exit(3)  # a child that dies before it answers
        ran_in.append(os.getpid())

    fork_call(work)()
    assert ran_in == [parent]
