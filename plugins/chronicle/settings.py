"""What the core needs to know about a book, read from mkdocs.yml.

`mkdocs build` hands us a validated MkDocsConfig; `chronicle check` must not pay for
loading every plugin and theme, so it reads the same file with a small YAML loader that
understands the tags MkDocs configurations use. Both end in the same `Settings`.

The CLI validates the plugin's options with the plugin's own config class (config.py), but
importing MkDocs' config machinery takes a fifth of a second: `load_settings(validate=False)`
leaves that to `validate_pending`, which the check runs while other processes read files,
and skips when the cache recorded this very block as valid.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import posixpath
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
import yaml_env_tag

from . import confine, layouts
from . import rules as book_rules
from . import schema as card_schema
from .defaults import DEFAULT_CACHE_DIR, DEFAULT_KNOWLEDGE_DIR, DEFAULT_STAGING_DIR

if TYPE_CHECKING:
    from .cache import FactCache
    from .config import ChronicleConfig

Slugify = Callable[[str, str], str]

# The Python tags the fast loader builds as it reads them: the slugify functions people
# configure for `toc`. Any other is built only if it is toc's slugify (see _Deferred).
_SAFE_CALLABLES = ("pymdownx.slugs.", "markdown.extensions.toc.")




class ConfigError(Exception):
    """mkdocs.yml cannot be used: exit status 2 in the CLI, a PluginError in the build."""


@dataclass
class Settings:
    """A book's layout and options, independent of MkDocs' config object."""

    root: Path
    docs_dir: str = "manuscript"
    knowledge_dir: str = "knowledge"  # the first of knowledge_dirs
    knowledge_dirs: list[str] = field(default_factory=lambda: ["knowledge"])
    bibliographies: list[str] = field(default_factory=lambda: ["knowledge/references.bib"])
    languages: list[str] = field(default_factory=lambda: ["zh", "en"])
    default_language: str = "zh"
    slugify: Slugify | None = None
    options: ChronicleConfig | None = None  # validated, where this process validated them
    cache_dir: str = DEFAULT_CACHE_DIR  # relative to root; "" for none
    staging_dir: str = DEFAULT_STAGING_DIR  # relative to root
    pending: tuple[dict[str, Any], str] | None = None  # options read but not validated yet, and their file
    schema: card_schema.Schema = card_schema.BUILTIN
    rules: book_rules.Rules = book_rules.NO_RULES  # the book's own rules (`rules:`)
    layout: layouts.Layout = field(default_factory=layouts.Layout)  # where each language's files are
    bilingual: list[str] = field(default_factory=list)  # globs relative to docs_dir (see bilingual.py)
    # A digest of what each config file said, as read (environment variables resolved):
    # whatever reads it once the options are validated is as the book was configured then.
    configs: list[str] = field(default_factory=list)

    @property
    def bibliography(self) -> str:
        """The first bibliography file (where a message suggests adding an entry)."""
        return self.bibliographies[0]

    @property
    def other_languages(self) -> list[str]:
        return [lang for lang in self.languages if lang != self.default_language]

    @property
    def trees(self) -> list[str]:
        """The folders that make the site: the chapters', then every card folder outside it."""
        return [self.docs_dir, *(k for k in self.knowledge_dirs if not k.startswith(self.docs_dir + "/"))]

    def card_folder(self, path: str) -> str | None:
        """The card folder PATH lies in, if any."""
        return next((k for k in self.knowledge_dirs if path.startswith(k + "/")), None)


def default_slugify(text: str, sep: str) -> str:
    from markdown.extensions.toc import slugify

    return slugify(text, sep)


class _Loader(yaml.SafeLoader):
    """SafeLoader plus the tags MkDocs accepts, none of which runs arbitrary code."""


class _NeedsMkDocs(Exception):
    """The file uses what only MkDocs' own loader reads as the build does: INHERIT or !relative."""


@dataclass(frozen=True)
class _Deferred:
    """A Python tag the core has no use for (a fence's format function, an emoji index: what
    every Material book names), kept unbuilt: importing what it names would cost the check
    more than all else it reads, and running it is the build's business. The one Python value
    the core reads, toc's slugify, is built when it is read (_toc_slugify)."""

    suffix: str
    call: tuple[tuple[Any, ...], tuple[tuple[str, Any], ...]] | None = None  # (args, kwds) to call it with

    def build(self) -> Any:
        module, _, name = self.suffix.rpartition(".")
        try:
            value = getattr(importlib.import_module(module), name)
            if self.call is not None:
                args, kwds = self.call
                value = value(*args, **dict(kwds))
        except (ImportError, AttributeError, TypeError, ValueError) as exc:
            raise ConfigError(f"mkdocs.yml: cannot {'build' if self.call else 'import'} {self.suffix}: {exc}") from exc
        return value


def _python_name(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    deferred = _Deferred(suffix)
    return deferred.build() if suffix.startswith(_SAFE_CALLABLES) else deferred


def _python_apply(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    kwds: dict[str, Any] = {}
    args: list[Any] = []
    if isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
        kwds = dict(value.get("kwds") or {})
        args = list(value.get("args") or [])
    elif isinstance(node, yaml.SequenceNode):
        args = loader.construct_sequence(node, deep=True)
    deferred = _Deferred(suffix, (tuple(args), tuple(kwds.items())))
    return deferred.build() if suffix.startswith(_SAFE_CALLABLES) else deferred


def _relative(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    raise _NeedsMkDocs("!relative")


_Loader.add_constructor("!ENV", yaml_env_tag.construct_env_tag)  # MkDocs' own, for the same values
_Loader.add_constructor("!relative", _relative)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/name:", _python_name)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/object/apply:", _python_apply)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/object:", _python_apply)


def read_config(config_file: Path) -> dict[str, Any]:
    """mkdocs.yml as the build reads it. The common file (plain YAML, !ENV, Python tags) is
    read here, in a few milliseconds, with every Python tag but toc's slugify left unbuilt
    (_Deferred); one that needs more (INHERIT, !relative) is read by MkDocs' own loader."""
    try:
        data = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_Loader)
        if isinstance(data, dict) and "INHERIT" in data:
            raise _NeedsMkDocs("INHERIT")
    except _NeedsMkDocs:
        data = _read_with_mkdocs(config_file)
    except yaml.YAMLError as exc:
        raise ConfigError(yaml_error(config_file.name, exc)) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{config_file.name}: not UTF-8 text ({exc.reason})") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{config_file.name}: expected a mapping at the top level")
    return data


# What to do, by what PyYAML says went wrong (the first that matches).
_YAML_HINTS = (
    ("'\\t'", "indent with spaces: YAML takes no tabs"),
    ("quoted scalar", "close the quote"),
    ("flow sequence", "close the bracket: [a, b]"),
    ("flow mapping", "close the brace: {a: 1}"),
    ("mapping values are not allowed", "quote a value that holds ': '"),
    ("undefined alias", "define &name before *name, or quote a value that starts with '*'"),
)


def yaml_error(name: str, exc: yaml.YAMLError) -> str:
    """PyYAML's error in one line, at NAME:line:column (its own text spans several lines, and
    names the file "<unicode string>"), with what to do."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if not isinstance(exc, yaml.MarkedYAMLError) or mark is None:
        return f"{name}: invalid YAML: {' '.join(str(exc).split())}"
    what = exc.problem or exc.context or "cannot be parsed"
    context = exc.context_mark
    if exc.problem and exc.context and context is not None:
        what += f", {exc.context} that starts at line {context.line + 1}"
    said = f"{exc.problem} {exc.context}"
    hint = next((h for key, h in _YAML_HINTS if key in said), "fix the YAML at that line or the one before")
    return f"{name}:{mark.line + 1}:{mark.column + 1}: invalid YAML: {what} ({hint})"


def _read_with_mkdocs(config_file: Path) -> Any:
    from mkdocs.exceptions import ConfigurationError
    from mkdocs.utils.yaml import get_yaml_loader, yaml_load

    loader = get_yaml_loader()
    # The build turns `!relative` into a path known only per page; the core needs no such value.
    loader.add_constructor("!relative", lambda loader, node: loader.construct_scalar(node))
    try:
        with open(config_file, "rb") as fh:
            return yaml_load(fh, loader)
    except ConfigurationError as exc:
        raise ConfigError(f"{config_file.name}: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(yaml_error(config_file.name, exc)) from None
    except (ImportError, AttributeError, TypeError, ValueError) as exc:
        raise ConfigError(f"{config_file.name}: {exc}") from None


def _plugin_entries(plugins: Any) -> dict[str, dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}
    if isinstance(plugins, dict):
        items = list(plugins.items())
    elif isinstance(plugins, list):
        items = []
        for item in plugins:
            if isinstance(item, dict):
                items.extend(item.items())
            else:
                items.append((item, None))
    elif plugins is None:
        items = []
    else:
        raise ConfigError(f"mkdocs.yml: plugins: expected a list of plugins, got {plugins!r}")
    for key, value in items:
        if value is not None and not isinstance(value, dict):
            raise ConfigError(f"mkdocs.yml: plugins.{key}: expected a mapping of options, got {value!r}")
        entries[str(key)] = dict(value or {})
    return entries


def _toc_slugify(extensions: Any) -> Slugify | None:
    items = extensions.items() if isinstance(extensions, dict) else []
    if isinstance(extensions, list):
        items = [
            next(iter(e.items())) if isinstance(e, dict) else (e, {}) for e in extensions
        ]
    for name, options in items:
        if name in ("toc", "markdown.extensions.toc") and isinstance(options, dict):
            slugify = options.get("slugify")
            if isinstance(slugify, _Deferred):
                slugify = slugify.build()  # a slugify of the book's own: the anchors depend on it
            if callable(slugify):
                return slugify
    return None


def validate_options(raw: dict[str, Any], config_file: str) -> ChronicleConfig:
    """Validate the plugin block with the plugin's own config class."""
    from .config import ChronicleConfig

    options = ChronicleConfig(config_file_path=config_file)
    options.load_dict(raw)
    errors, _warnings = options.validate()
    if errors:
        name, err = errors[0]
        raise ConfigError(f"{config_file}: plugins.chronicle.{name}: {err}")
    return options


def i18n_languages(raw: dict[str, Any]) -> tuple[list[str], str]:
    """Languages and the default one from an i18n plugin block."""
    langs: list[str] = []
    default = ""
    items = raw.get("languages") or []
    if not isinstance(items, list):
        raise ConfigError(f"mkdocs.yml: plugins.i18n.languages: expected a list of languages, got {items!r}")
    for lang in items:
        if not isinstance(lang, dict) or not isinstance(lang.get("locale"), str):
            raise ConfigError(f"mkdocs.yml: plugins.i18n.languages: each language needs a 'locale', got {lang!r}")
        if lang.get("build", True) is False:
            continue
        langs.append(str(lang["locale"]))
        if lang.get("default"):
            default = str(lang["locale"])
    if not langs:
        return ["en"], "en"
    return langs, default or langs[0]


def validate_pending(settings: Settings, store: FactCache | None = None,
                     elsewhere: Callable[[Callable[[], None]], Callable[[], None]] | None = None
                     ) -> Callable[[], None]:
    """Validate options that load_settings(validate=False) only read. A block that STORE
    recorded as valid, under the same config.py, is not validated again. ELSEWHERE, if given,
    runs the validation apart (the CLI forks it) and returns what waits for it: the function
    returned here raises ConfigError if the options are wrong, else records them as valid."""
    if settings.pending is None:
        return _nothing
    raw, config_file = settings.pending
    mark = hashlib.blake2b(repr(raw).encode("utf-8", "surrogatepass"), digest_size=16)
    mark.update((Path(__file__).parent / "config.py").read_bytes())
    if store is not None and store.note("options") == mark.hexdigest():
        settings.pending = None
        return _nothing

    def validate() -> None:
        options = settings.options = validate_options(raw, config_file)
        knowledge, bibs, *layout = _layout(options)
        written = (tuple(posixpath.normpath(k) for k in knowledge), _unique(posixpath.normpath(b) for b in bibs),
                   *(posixpath.normpath(v) if v else v for v in layout))
        knowledge_dirs = tuple(settings.layout.real(k) for k in settings.knowledge_dirs)  # as written
        if written != (knowledge_dirs, settings.bibliographies, settings.cache_dir,
                       settings.staging_dir):
            raise ConfigError(f"{config_file}: plugins.chronicle: the options were read differently before "
                              "validation")

    wait = elsewhere(validate) if elsewhere is not None else validate

    def finish() -> None:
        wait()
        settings.pending = None
        if store is not None:
            store.set_note("options", mark.hexdigest())

    if elsewhere is None:
        finish()
        return _nothing
    return finish


def _nothing() -> None:
    pass


def load_settings(root: str | os.PathLike[str], *, validate: bool = True,
                  config_files: Sequence[str | os.PathLike[str]] = ()) -> Settings:
    """Read `mkdocs.yml` in ROOT the way the build reads it (used by the CLI). Without
    VALIDATE the plugin's options are read as written (see validate_pending). CONFIG_FILES,
    if given, replace ROOT: the first is the book's, each other one a project of its own
    language that holds the book's translations (see layouts.py)."""
    if config_files:
        config_file = Path(config_files[0]).resolve()
        if not config_file.is_file():
            raise ConfigError(f"{config_files[0]}: no such config file")
        root_path = config_file.parent
    else:
        root_path = Path(root).resolve()
        config_file = root_path / "mkdocs.yml"
        if not config_file.is_file():
            alt = root_path / "mkdocs.yaml"
            if not alt.is_file():
                raise ConfigError(f"no mkdocs.yml in {root_path}")
            config_file = alt
    data = read_config(config_file)
    plugins = _plugin_entries(data.get("plugins"))
    raw = plugins.get("chronicle", {})
    options: Mapping[str, Any] = validate_options(raw, str(config_file)) if validate else raw
    languages, default = i18n_languages(plugins.get("i18n", {}))
    if "i18n" not in plugins and len(config_files) > 1:
        # One project per language, none with static-i18n: each says its language in its theme.
        languages = [_theme_language(read_config(Path(f)) if i else data) or ("zh" if not i else "en")
                     for i, f in enumerate(config_files)]
        for i, lang in enumerate(languages):
            if lang in languages[:i]:
                raise ConfigError(f"{config_files[i]}: its language is {lang}, as {config_files[0]}'s is: set "
                                  "theme.language to the language of its pages")
        default = languages[0]
    docs_dir = str(data.get("docs_dir") or "docs")
    if validate:  # else the caller checks it once the options are validated: their errors come first
        _docs_dir_exists(root_path, docs_dir, config_file.name)
    settings = make_settings(
        root_path,
        docs_dir=docs_dir,
        options=options,
        languages=languages,
        default_language=default,
        slugify=_toc_slugify(data.get("markdown_extensions")),
    )
    set_layout(settings, plugins.get("i18n", {}), config_file.name)
    for i, other in enumerate(config_files[1:], start=1):
        _add_project(settings, Path(other).resolve(), i)
    settings.configs.insert(0, config_digest(data))
    if not validate:
        settings.pending = (raw, str(config_file))
    return settings


def config_digest(data: Any) -> str:
    """A digest of a config file's DATA that is the same in every process for the same data.
    A built Python value (a slugify) counts by its name and arguments, not by its address."""

    def canonical(value: Any) -> str:
        if isinstance(value, dict):
            return "{" + ",".join(f"{canonical(k)}:{canonical(v)}" for k, v in value.items()) + "}"
        if isinstance(value, (list, tuple)):
            return "[" + ",".join(map(canonical, value)) + "]"
        if value is None or isinstance(value, (str, int, float, bool, _Deferred)):
            return repr(value)
        func = getattr(value, "func", None)  # functools.partial
        if func is not None:
            return f"partial({canonical(func)},{canonical(value.args)},{canonical(value.keywords)})"
        name = getattr(value, "__qualname__", None)
        if name is not None:
            return f"{getattr(value, '__module__', '')}.{name}"
        return repr(value)  # if it holds an address, no two runs agree: nothing is taken as unchanged

    return hashlib.blake2b(canonical(data).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _docs_dir_exists(root: Path, docs_dir: str, config_name: str) -> None:
    """A docs_dir that is not there is a mistake in the configuration, not an empty book."""
    if not (root / docs_dir).is_dir():
        raise ConfigError(f"{config_name}: docs_dir: '{docs_dir}' is not a folder (looked for {root / docs_dir}): "
                          f"create it, or set docs_dir in {config_name} to the folder of the book's pages")


def _theme_language(data: dict[str, Any]) -> str | None:
    theme = data.get("theme")
    lang = theme.get("language") if isinstance(theme, dict) else None
    return str(lang) if lang else None


def set_layout(settings: Settings, i18n: Mapping[str, Any], config_name: str) -> None:
    """The layout static-i18n's options describe (`docs_structure`); used by both front ends."""
    structure = i18n.get("docs_structure", "suffix") if isinstance(i18n, Mapping) else "suffix"
    if structure not in layouts.STRUCTURES:
        raise ConfigError(f"{config_name}: plugins.i18n.docs_structure: '{structure}' is not one of "
                          f"{', '.join(layouts.STRUCTURES)}")
    try:
        layout = layouts.folder_layout(settings.root, settings.docs_dir, settings.languages,
                                       settings.default_language, config_name) if structure == "folder" \
            else layouts.Layout("suffix", settings.default_language, tuple(settings.languages))
    except layouts.LayoutError as exc:
        raise ConfigError(str(exc)) from None
    layouts.apply(settings, layout)


def _add_project(settings: Settings, config_file: Path, index: int) -> None:
    """Join the project of CONFIG_FILE to the book as the translation into one language."""
    name = os.path.relpath(config_file, settings.root).replace(os.sep, "/")
    if not config_file.is_file():
        raise ConfigError(f"{name}: no such config file")
    data = read_config(config_file)
    settings.configs.append(config_digest(data))
    folder = config_file.parent
    if not confine.within(confine.real(settings.root), confine.real(folder)):
        raise ConfigError(f"{name}: must be inside the book's folder {settings.root}")
    lang = _theme_language(data)
    others = settings.other_languages
    if lang not in others:
        if index > len(others):
            raise ConfigError(f"{name}: the book has no language left for it ({', '.join(settings.languages)}): "
                              "add it to plugins.i18n.languages, or set its theme.language")
        lang = others[index - 1]
    docs_dir = str(data.get("docs_dir") or "docs")
    _docs_dir_exists(folder, docs_dir, name)
    raw = _plugin_entries(data.get("plugins")).get("chronicle", {})
    knowledge, _bibs, _cache, _staging = _layout(raw)
    rel = os.path.relpath(folder, settings.root).replace(os.sep, "/")
    layouts.add_roots(settings, layouts.project_roots(settings, rel, lang, docs_dir, knowledge), name)


def make_settings(
    root: Path,
    *,
    docs_dir: str,
    options: Mapping[str, Any],
    languages: list[str],
    default_language: str,
    slugify: Slugify | None,
) -> Settings:
    """The one place both front ends turn options (validated, or as written) into Settings.

    Every path option is confined here, before anything is read or written: the trees and the
    bibliography must lie inside the project once symlinks are followed, and the folders the
    tools write (cache, staging) inside it too, apart from every source folder."""
    docs = Path(docs_dir)
    docs_rel = os.path.relpath(docs if docs.is_absolute() else root / docs, root)
    knowledge, bibs, cache, staging = _layout(options)
    where_knowledge = "knowledge_dirs" if options.get("knowledge_dirs") else "knowledge_dir"
    names = [f"knowledge_dirs[{i}]" for i in range(len(knowledge))] if where_knowledge == "knowledge_dirs" \
        else ["knowledge_dir"]
    # Each bibliography file is confined as the trees are (reported under the option's name).
    bib_names = [f"bibliography[{i}]" for i in range(len(bibs))]
    paths = {"docs_dir": docs_rel, **dict(zip(names, knowledge, strict=True)),
             **dict(zip(bib_names, bibs, strict=True)), "cache_dir": cache, "staging_dir": staging}
    for name, value in paths.items():
        if not value:
            continue  # cache_dir: '' turns the cache off
        option = "bibliography" if name.startswith("bibliography[") else name
        where = name if name == "docs_dir" else f"plugins.chronicle.{option}"
        norm = posixpath.normpath(value.replace(os.sep, "/"))
        if os.path.isabs(value) or norm == ".." or norm.startswith("../"):
            raise ConfigError(f"mkdocs.yml: {where}: '{value}' must be a path inside the project folder "
                              "(relative to mkdocs.yml, without '..')")
        paths[name] = norm
    knowledge_dirs = [paths[name] for name in names]
    docs_path = paths["docs_dir"]
    for i, a in enumerate(knowledge_dirs):
        # A card folder inside docs_dir is part of the site already; one that holds docs_dir,
        # or another card folder, would have its files read twice.
        for b in [*knowledge_dirs[i + 1:], docs_path]:
            if a == b or b.startswith(a + "/") or a == "." or (b != docs_path and a.startswith(b + "/")):
                raise ConfigError(f"mkdocs.yml: plugins.chronicle.{where_knowledge}: '{a}' and '{b}' overlap: "
                                  "each card folder must be a folder of its own, beside the chapters")
    bibliographies = _unique(paths[name] for name in bib_names)
    sources = [docs_path, *knowledge_dirs, *bibliographies]
    checked = [("docs_dir", paths["docs_dir"]), *zip(names, knowledge_dirs, strict=True),
               *(("bibliography", b) for b in bibliographies)]
    for name, value in checked:
        try:
            confine.readable(root, value)
        except confine.Outside as exc:
            where = name if name == "docs_dir" else f"plugins.chronicle.{name}"
            raise ConfigError(f"mkdocs.yml: {where}: '{value}' is a symlink that leads outside the project, "
                              f"to {exc.target}: copy the files into the project instead") from None
    try:
        book_schema = card_schema.parse(options)
    except card_schema.SchemaError as exc:
        raise ConfigError(f"mkdocs.yml: plugins.chronicle.{exc}") from None
    try:
        declared_rules = book_rules.parse(options.get("rules"), languages)
    except book_rules.RulesError as exc:
        raise ConfigError(f"mkdocs.yml: plugins.chronicle.{exc}") from None
    for name in ("cache_dir", "staging_dir"):
        if paths[name]:
            try:
                confine.check_output_folder(root, paths[name], sources)
            except ValueError as exc:
                raise ConfigError(f"mkdocs.yml: plugins.chronicle.{name}: {exc}; the tools write and delete "
                                  "files there, so it must be a folder of its own inside the project "
                                  f"(default '{_DEFAULTS[name]}')") from None
    return Settings(
        root=root,
        docs_dir=Path(paths["docs_dir"]).as_posix(),
        knowledge_dir=knowledge_dirs[0],
        knowledge_dirs=knowledge_dirs,
        schema=book_schema,
        rules=declared_rules,
        bibliographies=bibliographies,
        languages=languages,
        default_language=default_language,
        slugify=slugify,
        options=options if not isinstance(options, dict) else None,  # type: ignore[arg-type]
        cache_dir=paths["cache_dir"],
        staging_dir=paths["staging_dir"],
        bilingual=_bilingual_globs(options),
    )


def _bilingual_globs(options: Mapping[str, Any]) -> list[str]:
    """The `bilingual:` globs as written (validation refuses a value of the wrong type)."""
    value = options.get("bilingual")
    return [g for g in value if isinstance(g, str) and g] if isinstance(value, list) else []


_DEFAULTS = {"cache_dir": DEFAULT_CACHE_DIR, "staging_dir": DEFAULT_STAGING_DIR}


def _unique(paths: Iterable[str]) -> list[str]:
    """PATHS without repeats (a file named twice is read once), in order."""
    return list(dict.fromkeys(paths))


def _layout(options: Mapping[str, Any]) -> tuple[list[str], list[str], str, str]:
    """knowledge_dirs, the bibliography files, cache_dir and staging_dir as written. A value of
    the wrong type is taken as the default here: validation refuses it, before anything is
    reported. `bibliography` is one path or a list of them."""

    def text(name: str, default: str | None) -> str | None:
        value = options.get(name, default)
        return value if isinstance(value, str) else default

    several = options.get("knowledge_dirs")
    if isinstance(several, list) and several and all(isinstance(k, str) and k.strip("/") for k in several):
        knowledge_dirs = [k.rstrip("/") for k in several]
    else:
        knowledge_dirs = [(text("knowledge_dir", DEFAULT_KNOWLEDGE_DIR) or "").rstrip("/") or DEFAULT_KNOWLEDGE_DIR]
    knowledge = knowledge_dirs[0]
    bib = options.get("bibliography")
    bibs = [bib] if isinstance(bib, str) else [b for b in bib if isinstance(b, str)] if isinstance(bib, list) else []
    bibs = [b for b in bibs if b] or [f"{knowledge}/references.bib"]
    cache = (text("cache_dir", DEFAULT_CACHE_DIR) or "").rstrip("/")
    staging = (text("staging_dir", DEFAULT_STAGING_DIR) or "").rstrip("/") or DEFAULT_STAGING_DIR
    return knowledge_dirs, bibs, cache, staging
