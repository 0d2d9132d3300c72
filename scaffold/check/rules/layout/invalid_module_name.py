"""PKG003 invalid-module-name: a module or package inside a package that `import` cannot name."""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from pathlib import Path

from scaffold.check.model import FILE_SPAN, Finding, Severity
from scaffold.check.rules.names import is_importable
from scaffold.check.rules.unit import Check, Rule, RuleDocs, Scope, TreeContext
from scaffold.files import read_regular

__all__ = ["RULE"]


# The calls that load a module by a name or path `import` cannot spell.
_LOADERS = frozenset({"import_module", "spec_from_file_location", "__import__"})


def _loads_by_name(package: Path, seen: dict[Path, bool], limit: int) -> bool:
    """Whether a module of the package folder calls importlib's loaders (rich loads its
    `_unicode_data/unicode13-0-0.py` with `importlib.import_module`). Read only for the
    few folders holding such a name, each once per check; only regular files of at most
    `limit` bytes (a FIFO among them hung the check)."""
    if package not in seen:
        seen[package] = False
        for path in sorted(package.glob("*.py")):
            try:
                tree = ast.parse(read_regular(path, limit=limit))
            except (OSError, SyntaxError, ValueError, RecursionError):
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and _callee(node.func) in _LOADERS:
                    seen[package] = True
                    return True
    return seen[package]


def _callee(func: ast.expr) -> str:
    """The last part of a called name: `importlib.import_module` -> "import_module"."""
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def check(ctx: TreeContext) -> Iterator[Finding]:
    seen: dict[Path, bool] = {}
    for folder in ctx.tree.folders:
        name = folder.path.name
        if (
            folder.has_init
            and folder.parent_is_package
            and not is_importable(name)
            and not _loads_by_name(folder.path.parent, seen, folder.config.max_file_size)
        ):
            yield RULE.finding(folder.rel, FILE_SPAN, kind="package", name=name)
    for source in ctx.tree.files:
        if source.is_stub or source.is_extension or not source.in_package or source.is_package:
            continue
        stem = os.path.basename(source.file)[:-3]
        # `0001_initial.py` (Django, Alembic migrations) is numbered on purpose and loaded by
        # path; a bad name inside a bad folder is reported once, at the folder.
        if (
            not is_importable(stem)
            and not stem[:1].isdigit()
            and not _loads_by_name(source.path.parent, seen, source.config.max_file_size)
        ):
            yield RULE.finding(source.rel, FILE_SPAN, kind="module", name=source.path.name)


RULE = Rule(
    code="PKG003",
    name="invalid-module-name",
    # A warning: a loader by path the package does not show may still load such a file.
    severity=Severity.WARNING,
    message={
        "package": "package folder '{name}' is not importable with an `import` statement",
        "module": "module file '{name}' inside a package is not importable with an `import`"
        " statement",
    },
    docs=RuleDocs(
        what="Finds a `.py` file or package folder inside a package whose name is not importable.",
        why="`import pkg.my-module` is a syntax error; such a file can only be run as a script.",
        example="pkg/my-module.py",
        use_instead="pkg/my_module.py",
        exemptions="Numbered files such as Django and Alembic migrations (`0001_initial.py`),"
        " which are loaded by path; a file or folder whose package's modules call"
        " `importlib.import_module`, `importlib.util.spec_from_file_location` or"
        " `__import__` (data or plugin modules loaded by name, as rich's"
        " `_unicode_data/unicode13-0-0.py`).",
    ),
    checks=(Check(Scope.TREE, check),),
)
