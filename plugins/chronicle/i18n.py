"""Every touch of mkdocs-static-i18n's internals, in one place.

static-i18n has no public API for "which language is being built"; it exposes
`current_language` and `default_language` on its plugin object and sets `locale` on
the files it localizes. If a release renames them, only this module changes.
"""

from __future__ import annotations

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
