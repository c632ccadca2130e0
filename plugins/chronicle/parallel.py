"""Spread a pure function over forked processes, for the command line only.

A forked child already has the book in memory (copy-on-write), so nothing is sent to it;
only its results come back, pickled, through a pipe. multiprocessing would add its own
import, a pool and a pickled call per task. Never used by the plugin: `mkdocs serve`
runs threads, and forking a threaded process is unsafe.

The work is cut into chunks that every process takes from one queue, a pipe filled with
chunk numbers before the fork (a read of 4 bytes from a pipe is atomic, so no chunk is
taken twice): whoever is faster takes more, and the parent can first do work of its own
(`first`: imports, the bibliography) while the children have already started. Items that
the parent is best placed to do (`parent_first`: it has imported what they need) sit in a
second queue, which the parent empties first and the children last.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

_NUMBER = struct.Struct("<I")
_CHUNKS_PER_JOB = 8  # enough for the faster process to make up for a slower one


def fork_map(func: Callable[[Sequence[T]], list[R]], items: Sequence[T], jobs: int, minimum: int = 1,
             first: Callable[[], None] | None = None, parent_first: int = 0) -> list[R]:
    """FUNC over chunks of ITEMS in JOBS processes (this one and forked children), results
    concatenated in the order of ITEMS. FIRST, if given, runs in this process before it takes
    its share. The last PARENT_FIRST items are taken by this process before the others (and
    by the children only when nothing else is left). Fewer than MINIMUM items per job: no
    fork at all. A chunk that a child took but did not deliver (it could not start, or
    failed) is done here: the answer never depends on the children."""
    chunks: list[Sequence[T]] = []
    queues: list[int] = []
    if will_fork(len(items), jobs, minimum):
        size = -(-len(items) // (jobs * _CHUNKS_PER_JOB))
        split = len(items) - max(0, min(parent_first, len(items)))
        parts = [part for part in (items[:split], items[split:]) if part]
        for part in parts:
            numbers = range(len(chunks), len(chunks) + -(-len(part) // size))
            chunks += [part[i:i + size] for i in range(0, len(part), size)]
            queue = _queue(numbers)
            if queue is None:
                break
            queues.append(queue)
        if len(queues) < len(parts):  # no pipe to be had: all of it here
            for queue in queues:
                os.close(queue)
            queues = []
    if not queues:
        if first is not None:
            first()
        return func(items)
    children: list[tuple[int, int]] = []
    try:
        for _ in range(jobs - 1):
            child = _start(func, chunks, queues)
            if child is not None:
                children.append(child)
        if first is not None:
            first()
        done = _take(func, chunks, queues[::-1])
    except BaseException:
        _abandon(children)
        raise
    finally:
        for queue in queues:
            os.close(queue)
    for pid, r in children:
        done.update(_collect(pid, r))
    for i, part in enumerate(chunks):
        if i not in done:
            done[i] = func(part)
    results: list[R] = []
    for i in range(len(chunks)):
        results += done[i]
    return results


def fork_call(func: Callable[[], None]) -> Callable[[], None]:
    """Start FUNC in a forked child; what is returned waits for it and raises what FUNC raised
    there. If there is no child to be had, or it ends without an answer, FUNC runs here when
    waited for: the answer never depends on the child."""

    def answer() -> Exception | None:
        try:
            func()
        except Exception as exc:  # any error FUNC raises is the answer, raised again there
            return exc
        return None

    child = _fork(answer)
    if child is None:
        return func
    pid, r = child

    def wait() -> None:
        with os.fdopen(r, "rb") as fh:
            data = fh.read()
        _, status = os.waitpid(pid, 0)
        try:
            answer = pickle.loads(data) if status == 0 and data else False
        except (pickle.UnpicklingError, EOFError, ValueError, AttributeError, TypeError):
            answer = False
        if answer is False:
            func()
        elif isinstance(answer, Exception):
            raise answer

    return wait


def will_fork(count: int, jobs: int, minimum: int = 1) -> bool:
    """Whether fork_map forks for COUNT items (unless the system refuses it a pipe)."""
    return jobs > 1 and hasattr(os, "fork") and count >= max(2, minimum) * jobs


def _queue(numbers: range) -> int | None:
    """The read end of a pipe holding NUMBERS (None if there is no pipe)."""
    try:
        r, w = os.pipe()
    except OSError:
        return None
    os.write(w, b"".join(_NUMBER.pack(i) for i in numbers))  # well under a pipe's 64 KiB
    os.close(w)  # so that a read of the empty queue says so at once
    return r


def _take(func: Callable[[Sequence[T]], list[R]], chunks: list[Sequence[T]],
          queues: list[int]) -> dict[int, list[R]]:
    """Chunks from the QUEUES, one after the other, until all are empty: {chunk number: results}."""
    done: dict[int, list[R]] = {}
    for queue in queues:
        while True:
            raw = os.read(queue, _NUMBER.size)
            if len(raw) < _NUMBER.size:
                break
            i = _NUMBER.unpack(raw)[0]
            done[i] = func(chunks[i])
    return done


def _start(func: Callable[[Sequence[T]], list[R]], chunks: list[Sequence[T]],
           queues: list[int]) -> tuple[int, int] | None:
    return _fork(lambda: _take(func, chunks, queues))


def _fork(work: Callable[[], object]) -> tuple[int, int] | None:
    """A child that runs WORK and writes what it returns, pickled, into a pipe: (its pid, the
    pipe's read end), or None if the system gives no pipe or no process."""
    try:
        r, w = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(r)
        os.close(w)
        return None
    if pid == 0:  # the child: compute, write, leave without running any cleanup of the parent's
        code = 1
        try:
            os.close(r)
            data = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(w, "wb") as fh:
                fh.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    return pid, r


def _collect(pid: int, r: int) -> dict:
    """What a child delivered ({} if it failed: its chunks are then done by the caller)."""
    with os.fdopen(r, "rb") as fh:
        data = fh.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return {}
    try:
        return pickle.loads(data)
    except (pickle.UnpicklingError, EOFError, ValueError):
        return {}


def _abandon(children: list[tuple[int, int]]) -> None:
    """The parent failed (FIRST raised): end the children and reap them."""
    for pid, r in children:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        os.close(r)
        try:
            os.waitpid(pid, 0)
        except OSError:
            pass
