"""Path globs as the book's options write them (`bilingual:`, the rules' `glob`/`exclude`)."""

from __future__ import annotations

import re
from functools import cache


@cache
def glob_re(pattern: str) -> re.Pattern[str]:
    """A glob as `.gitignore` and MkDocs' `exclude_docs` readers expect: `*` and `?` within a
    folder's name, `**` across folders (`**/` also across none)."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")
