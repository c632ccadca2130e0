"""Every touch of mkdocs-static-i18n's internals, in one place.

static-i18n has no public API for "which language is being built"; it exposes
`current_language` and `default_language` on its plugin object and sets `locale` on
the files it localizes. If a release renames them, only this module changes.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File


def _plugin(config: MkDocsConfig) -> Any | None:
    return config.plugins.get("i18n")


def active(config: MkDocsConfig) -> bool:
    return _plugin(config) is not None


def languages(config: MkDocsConfig) -> tuple[list[str], str]:
    """Built languages and the default one; a single-language site without i18n is fine."""
    plugin = _plugin(config)
    if plugin is None:
        lang = str(config.theme.get("language") or "en")
        return [lang], lang
    langs = [str(lang.locale) for lang in plugin.config.languages if lang.build]
    return langs, str(plugin.default_language)


def current_language(config: MkDocsConfig) -> str:
    plugin = _plugin(config)
    if plugin is None:
        return languages(config)[1]
    return str(plugin.current_language or plugin.default_language)


def file_locale(file: File, default: str) -> str:
    """The language of the file a page was built from (the default one for a fallback)."""
    return str(getattr(file, "locale", None) or default)


def language_name(config: MkDocsConfig, lang: str) -> str:
    plugin = _plugin(config)
    if plugin is not None:
        for item in plugin.config.languages:
            if item.locale == lang:
                return str(item.name)
    return lang


def file_from_path(files: Any, path: str, lang: str, default: str) -> File | None:
    """What static-i18n's `Files.get_file_from_path` returns for PATH while LANG is built (the
    LANG variant, else the default language's suffixed one, else PATH), with string lookups
    in `src_uris` instead of its PurePath arithmetic: the plugin asks once per link of every
    card box, backlink list and reference, thousands of times a build."""
    src_uris = files.src_uris
    stem, dot, ext = path.rpartition(".")
    if dot and "/" not in ext:
        for candidate in (f"{stem}.{lang}.{ext}", f"{stem}.{default}.{ext}"):
            file = src_uris.get(candidate)
            if file is not None:
                return file
    file = src_uris.get(path)
    return file if file is not None else files.get_file_from_path(path)


def fallback_to_default(config: MkDocsConfig) -> bool:
    """Whether a page without a translation is served in the other languages (in the default one)."""
    plugin = _plugin(config)
    return plugin is None or bool(plugin.config.fallback_to_default)


def builds_per_language(config: MkDocsConfig) -> bool:
    """Whether static-i18n will build every other language with a `build()` of its own, nested
    in the first one's on_post_build."""
    return _plugin(config) is not None and len(languages(config)[0]) > 1


# -- the search index --------------------------------------------------------------------
#
# static-i18n gathers every language's search entries, then drops each entry of another
# language that repeats one of the default language (same title and text, at the same place
# under `en/`): a page shown untranslated. Its loop compares every default-language entry
# with every other one (reconfigure_search_duplicates), in the square of the index's size:
# 12% of a 300-chapter build. The plugin drops the same entries in one pass, once the last
# language's entries are in, and has static-i18n skip its own pass for that one build
# (through its documented option `reconfigure_search`, which it reads there and, before,
# only in each language's on_config, all of which have run by then).


def dedupe_search_entries(entries: list[dict[str, Any]], languages: list[str],
                          keep: Collection[str] = ()) -> None:
    """What static-i18n's reconfigure_search_duplicates does to ENTRIES, in linear time. (It
    removes from the list it is filtering, so it skips the entry after each it removes: a
    second repeat of one entry stays there. Here every repeat goes.) The entries of the pages
    at the URLs KEEP stay: a bilingual page repeats the default language's on purpose, and is
    the other language's own page."""
    prefixes = tuple(f"{lang}/" for lang in languages)
    defaults: dict[tuple[Any, Any], list[str]] = {}
    for entry in entries:
        location = entry["location"]
        if not location.startswith(prefixes):
            defaults.setdefault((entry["title"], entry["text"]), []).append(location)

    def duplicate(entry: dict[str, Any]) -> bool:
        location = entry["location"]
        if not location.startswith(prefixes) or (keep and location.partition("#")[0] in keep):
            return False
        return any(location.endswith(d) for d in defaults.get((entry["title"], entry["text"]), ()))

    entries[:] = [e for e in entries if not duplicate(e)]


def take_over_search_dedup(config: MkDocsConfig, keep: Collection[str] = ()) -> bool:
    """In the last language's pass, after static-i18n has gathered its entries (its
    on_post_build, -100): drop the duplicates and turn its own pass off. True if done; then
    give_back_search_dedup must run at the end of the outer build."""
    plugin = _plugin(config)
    if plugin is None or not getattr(plugin, "building", False) or not plugin.config.reconfigure_search:
        return False
    others = [lang for lang in plugin.build_languages if lang != plugin.default_language]
    entries = getattr(plugin, "search_entries", None)
    if not others or plugin.current_language != others[-1] or not isinstance(entries, list):
        return False
    dedupe_search_entries(entries, list(plugin.build_languages), keep)
    plugin.config.reconfigure_search = False
    return True


def is_nested_pass(config: MkDocsConfig) -> bool:
    """Whether this is one of the builds static-i18n nests in the first one."""
    plugin = _plugin(config)
    return plugin is not None and bool(getattr(plugin, "building", False))


def give_back_search_dedup(config: MkDocsConfig) -> None:
    plugin = _plugin(config)
    if plugin is not None:
        plugin.config.reconfigure_search = True


def docs_structure(config: MkDocsConfig) -> dict[str, str]:
    """static-i18n's `docs_structure`, as settings.set_layout reads it from mkdocs.yml."""
    plugin = _plugin(config)
    return {"docs_structure": str(plugin.config.docs_structure)} if plugin is not None else {}


def read_as_suffix(config: MkDocsConfig) -> None:
    """Have static-i18n read the staged folder, which holds the book in the suffix structure
    whatever the repository's (see layouts.stage); it reads the option at each event."""
    plugin = _plugin(config)
    if plugin is not None:
        plugin.config.docs_structure = "suffix"
def last_pass_search_entries(config: MkDocsConfig) -> list[dict[str, Any]] | None:
    """In the last language's pass, after static-i18n gathered its entries (its on_post_build,
    -100): every language's search entries, which it writes as the site's index; else None."""
    plugin = _plugin(config)
    if plugin is None or not getattr(plugin, "building", False):
        return None
    others = [lang for lang in plugin.build_languages if lang != plugin.default_language]
    entries = getattr(plugin, "search_entries", None)
    if not others or plugin.current_language != others[-1] or not isinstance(entries, list):
        return None
    return entries


@contextmanager
def nested_builds_dirty() -> Iterator[None]:
    """Have static-i18n's builds of the other languages be dirty builds too: it decides that
    from the command line alone (`--dirty` in sys.argv), not from the build it is nested in."""
    added = "--dirty" not in sys.argv
    if added:
        sys.argv.append("--dirty")
    try:
        yield
    finally:
        if added and "--dirty" in sys.argv:
            sys.argv.remove("--dirty")
