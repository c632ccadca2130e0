"""The package's shape: no import cycle (function-level imports included: they only hide one),
and MkDocs reached from the front ends alone, so another front end stays possible.

Run alone with `pytest -q tests/test_imports.py`; a failure names the modules of the cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from chronicle.checks import _cycles

PACKAGE = Path(__file__).resolve().parent.parent / "plugins" / "chronicle"
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py"))
# The modules that may touch MkDocs: the plugin, its config classes, the static-i18n adapter,
# and the reader of mkdocs.yml (which hands a config MkDocs' fast loader cannot read to MkDocs').
MKDOCS_FRONT = {"plugin", "config", "i18n", "settings"}


def imports_of(source: str) -> tuple[set[str], set[str]]:
    """(modules of the package, third-party top-level packages) a module imports, wherever
    the import is (a function's body too), except under `if TYPE_CHECKING:`."""
    local: set[str] = set()
    third: set[str] = set()

    class Visitor(ast.NodeVisitor):
        def visit_If(self, node: ast.If) -> None:
            if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
                for child in node.orelse:
                    self.visit(child)
                return
            self.generic_visit(node)

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            if node.level == 1:
                if node.module:
                    local.add(node.module.split(".")[0])
                else:
                    local.update(alias.name for alias in node.names)
            elif node.level == 0 and node.module:
                third.add(node.module.split(".")[0])

        def visit_Import(self, node: ast.Import) -> None:
            third.update(alias.name.split(".")[0] for alias in node.names)

    Visitor().visit(ast.parse(source))
    return local & set(MODULES), third


def graph() -> dict[str, set[str]]:
    return {m: imports_of((PACKAGE / f"{m}.py").read_text(encoding="utf-8"))[0] for m in MODULES}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (or a module importing itself):
    the causal graph's own cycle finder, which the table below holds to that."""
    return _cycles(edges)


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ({"a": {"b"}, "b": set()}, []),
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
        ({"a": {"a"}}, [["a"]]),
    ],
)
def test_the_cycle_finder_finds_cycles(edges, expected):
    assert cycles(edges) == expected


def test_a_function_level_import_counts():
    local, _ = imports_of("def f():\n    from .book import Book\n")
    assert local == {"book"}
    local, _ = imports_of("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .book import Book\n")
    assert local == set()


def test_the_package_has_no_import_cycle():
    assert cycles(graph()) == []


def test_only_the_front_ends_import_mkdocs():
    touching = {m for m in MODULES if "mkdocs" in imports_of((PACKAGE / f"{m}.py").read_text(encoding="utf-8"))[1]}
    assert touching <= MKDOCS_FRONT, f"the core imports MkDocs: {sorted(touching - MKDOCS_FRONT)}"


# What reading the disk (or forking) takes: the model in book.py needs none of it.
IO_MODULES = {"os", "io", "pathlib", "shutil", "subprocess", "tempfile", "glob"}
IO_LOCAL = {"loading", "parallel", "confine", "staging", "sitedir"}


def test_the_model_reads_nothing():
    source = (PACKAGE / "book.py").read_text(encoding="utf-8")
    local, external = imports_of(source)
    assert not {m.split(".")[0] for m in external} & IO_MODULES
    assert not local & IO_LOCAL
    calls = {node.func.id for node in ast.walk(ast.parse(source))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert "open" not in calls

