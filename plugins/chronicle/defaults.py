"""The defaults of the options the core reads.

Shared by the plugin's config classes (config.py, which imports MkDocs' config machinery)
and the command line's fast reader of the same options (settings.py, which must not): here,
neither has to import the other.
"""

from __future__ import annotations

DEFAULT_KNOWLEDGE_DIR = "knowledge"
DEFAULT_CACHE_DIR = ".chronicle-cache"
DEFAULT_STAGING_DIR = ".site-src"
