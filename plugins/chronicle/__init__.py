"""Chronicle: a bilingual book from Markdown, with id links, card embeds, citations and checks."""

from __future__ import annotations

__version__ = "0.1.0"
