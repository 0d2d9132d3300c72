"""PKG004 module-package-conflict: `name.py` beside a `name/` package."""

from __future__ import annotations

import os
from collections.abc import Iterator

from scaffold.check.model import FILE_SPAN, Finding, Severity
from scaffold.check.rules.unit import Check, Rule, RuleDocs, Scope, TreeContext

__all__ = ["RULE"]


def check(ctx: TreeContext) -> Iterator[Finding]:
    # Strings, not Paths: this runs over every file on each check (and each edit in the
    # language server), and joining and hashing Paths cost ten times as much.
    files = {f.file for f in ctx.tree.files}
    for source in ctx.tree.files:
        if source.is_stub or source.is_extension or source.is_package:
            continue
        folder, name = os.path.split(source.file)
        stem = name[:-3]
        if os.path.join(folder, stem, "__init__.py") in files:
            yield RULE.finding(source.rel, FILE_SPAN, name=name, package=stem)


RULE = Rule(
    code="PKG004",
    name="module-package-conflict",
    severity=Severity.ERROR,
    message="'{name}' can never be imported: the package '{package}/' beside it wins",
    docs=RuleDocs(
        what="Finds `name.py` beside a `name/` package.",
        why="The package always wins, so the module can never be imported.",
        example="util.py\nutil/__init__.py",
        use_instead="util/__init__.py   # merge util.py into the package",
    ),
    checks=(Check(Scope.TREE, check),),
)
