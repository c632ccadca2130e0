"""Near misses: the closest of many names to one that names nothing ("did you mean ...?").

Its own module, below everything that suggests (the checks, the card schema's hints), so
none of them has to import another to share it.
"""

from __future__ import annotations

import bisect
import difflib
import functools


def near(word: str, candidates: list[str], cutoff: float) -> str | None:
    """difflib's closest match, after a cheap filter: on a book of thousands of files,
    comparing every name with SequenceMatcher would dominate the whole check. The filter
    keeps names of about the same length (a slice of the names sorted by length) that share
    enough distinct characters (counted as bits: one per character the names use)."""
    if not candidates:
        return None
    lengths, profiles, bits = _profiles(tuple(candidates))
    mask = 0
    for ch in set(word):
        mask |= bits.get(ch, 0)
    distinct = len(set(word))
    size = len(word)
    slack = max(3, size // 3)
    lo, hi = bisect.bisect_left(lengths, size - slack), bisect.bisect_right(lengths, size + slack)
    pool = [
        c for c, cmask, k in profiles[lo:hi]
        if (mask & cmask).bit_count() >= cutoff * (distinct if distinct < k else k)
    ]
    # get_close_matches breaks ties by the name itself, so the pool's order does not matter.
    close = difflib.get_close_matches(word, pool, n=1, cutoff=cutoff)
    return close[0] if close else None


@functools.lru_cache(maxsize=16)
def _profiles(candidates: tuple[str, ...]) -> tuple[list[int], list[tuple[str, int, int]], dict[str, int]]:
    """Names sorted by length, each with the bit mask of its characters and their number."""
    bits: dict[str, int] = {}
    for ch in set().union(*candidates):
        bits[ch] = 1 << len(bits)
    ordered = sorted(candidates, key=len)
    profiles = []
    for c in ordered:
        mask = 0
        for ch in set(c):
            mask |= bits[ch]
        profiles.append((c, mask, mask.bit_count()))
    return [len(c) for c in ordered], profiles, bits
