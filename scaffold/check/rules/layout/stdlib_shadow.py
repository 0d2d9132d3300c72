"""PKG002 stdlib-shadow: a top-level module or package named like a standard-library one."""

from __future__ import annotations

import sys
from collections.abc import Iterator

from scaffold.check.model import FILE_SPAN, Finding, Severity
from scaffold.check.rules.unit import Check, Rule, RuleDocs, Scope, TreeContext

__all__ = ["RULE"]

# Names in sys.stdlib_module_names that a project may use at its top without harm.
_HARMLESS = frozenset({"__main__", "__init__", "__future__", "this", "antigravity"})


def _shadows(name: str) -> bool:
    return name in sys.stdlib_module_names and name not in _HARMLESS


def check(ctx: TreeContext) -> Iterator[Finding]:
    for folder in ctx.tree.folders:
        name = folder.path.name
        if folder.has_init and folder.module and "." not in folder.module and _shadows(name):
            yield RULE.finding(folder.rel, FILE_SPAN, kind="package", name=name)
    for source in ctx.tree.files:
        if source.is_stub or source.is_extension or source.scope or source.is_package:
            continue
        stem = source.path.name[:-3]
        if source.module == stem and _shadows(stem):
            yield RULE.finding(source.rel, FILE_SPAN, kind="module", name=stem)


RULE = Rule(
    code="PKG002",
    name="stdlib-shadow",
    severity=Severity.ERROR,
    message={
        "package": "top-level package '{name}' shadows the standard-library module '{name}'",
        "module": "top-level module '{name}' shadows the standard-library module '{name}'",
    },
    docs=RuleDocs(
        what="Finds a top-level module or package named like a standard-library module.",
        why="Whichever comes first on `sys.path` wins: the project or the standard library breaks.",
        example="random.py",
        use_instead="random_utils.py",
    ),
    checks=(Check(Scope.TREE, check),),
)
