"""Spread a pure function over forked processes, for the command line only.

A forked child already has the book in memory (copy-on-write), so nothing is sent to it;
only its results come back, pickled, through a pipe. multiprocessing would add its own
import, a pool and a pickled call per task. Never used by the plugin: `mkdocs serve`
runs threads, and forking a threaded process is unsafe.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def fork_map(func: Callable[[Sequence[T]], list[R]], items: Sequence[T], jobs: int, minimum: int = 1) -> list[R]:
    """FUNC over JOBS slices of ITEMS, the first in this process and the rest in forked children,
    results concatenated in order. Fewer than MINIMUM items per job, no fork at all. A child that
    cannot be started or fails has its slice done here: the answer never depends on the children."""
    if jobs <= 1 or not hasattr(os, "fork") or len(items) < max(2, minimum) * jobs:
        return func(items)
    size = -(-len(items) // jobs)
    slices = [items[i:i + size] for i in range(0, len(items), size)]
    children: list[tuple[int, int, Sequence[T]]] = []
    for part in slices[1:]:
        try:
            r, w = os.pipe()
        except OSError:
            children.append((-1, -1, part))
            continue
        try:
            pid = os.fork()
        except OSError:
            os.close(r)
            os.close(w)
            children.append((-1, -1, part))
            continue
        if pid == 0:  # the child: compute, write, leave without running any cleanup of the parent's
            code = 1
            try:
                os.close(r)
                data = pickle.dumps(func(part), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(w, "wb") as fh:
                    fh.write(data)
                code = 0
            finally:
                os._exit(code)
        os.close(w)
        children.append((pid, r, part))
    results = func(slices[0])
    for pid, r, part in children:
        data = b""
        if pid > 0:
            with os.fdopen(r, "rb") as fh:
                data = fh.read()
            _, status = os.waitpid(pid, 0)
            if status != 0:
                data = b""
        results += pickle.loads(data) if data else func(part)
    return results
