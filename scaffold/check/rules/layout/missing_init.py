"""PKG001 missing-init: a folder inside a package with code but no `__init__.py`."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import FILE_SPAN, Finding, Severity
from scaffold.check.rules.names import is_importable
from scaffold.check.rules.unit import Check, PeerCode, Rule, RuleDocs, Scope, TreeContext

__all__ = ["RULE"]


def check(ctx: TreeContext) -> Iterator[Finding]:
    for folder in ctx.tree.folders:
        name = folder.path.name
        if (
            not folder.has_init
            and folder.parent_is_package
            and folder.holds_code
            and is_importable(name)
            and folder.module not in folder.config.namespace_packages
        ):
            yield RULE.finding(folder.rel, FILE_SPAN, name=name)


RULE = Rule(
    code="PKG001",
    name="missing-init",
    severity=Severity.WARNING,
    message="folder '{name}' inside a package holds Python code but has no __init__.py",
    docs=RuleDocs(
        what="Finds a folder inside a regular package that holds Python code but no"
        " `__init__.py` (unless listed in `namespace-packages`).",
        why="It becomes an accidental namespace package: tools such as mypy, pytest and"
        " setuptools' find_packages treat it differently, and it is easily left out of wheels.",
        example="pkg/__init__.py\npkg/sub/mod.py",
        use_instead="pkg/__init__.py\npkg/sub/__init__.py\npkg/sub/mod.py",
        exemptions="Folders listed in `namespace-packages`, and folders whose names cannot be"
        " imported anyway.",
        options="`namespace-packages` in `[tool.scaffold.check]`: the dotted names of folders that "
        "are PEP 420 namespace packages on purpose; PKG001 is silent for them.",
    ),
    checks=(Check(Scope.TREE, check),),
    peer_codes=(
        PeerCode("ruff", "INP001", "implicit-namespace-package (any folder without __init__.py)"),
    ),
)
