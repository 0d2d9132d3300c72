"""PKG003 invalid-module-name: a module or package inside a package that `import` cannot name."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import FILE_SPAN, Finding, Severity
from scaffold.check.rules.names import is_importable
from scaffold.check.rules.unit import Check, Rule, RuleDocs, Scope, TreeContext

__all__ = ["RULE"]


def check(ctx: TreeContext) -> Iterator[Finding]:
    for folder in ctx.tree.folders:
        name = folder.path.name
        if folder.has_init and folder.parent_is_package and not is_importable(name):
            yield RULE.finding(folder.rel, FILE_SPAN, kind="package", name=name)
    for source in ctx.tree.files:
        if source.is_stub or source.is_extension or not source.in_package or source.is_package:
            continue
        stem = source.path.name[:-3]
        # `0001_initial.py` (Django, Alembic migrations) is numbered on purpose and loaded by
        # path; a bad name inside a bad folder is reported once, at the folder.
        if not is_importable(stem) and not stem[:1].isdigit():
            yield RULE.finding(source.rel, FILE_SPAN, kind="module", name=source.path.name)


RULE = Rule(
    code="PKG003",
    name="invalid-module-name",
    # A warning: `importlib.import_module` or a loader by path may still load such a file
    # (rich's `_unicode_data/unicode13-0-0.py`), so it is not broken for sure.
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
        " which are loaded by path. A file its package loads with"
        " `importlib.import_module(...)` is still reported, as a warning: whether such a"
        " loader exists is not yet a fact the layout rules see.",
    ),
    checks=(Check(Scope.TREE, check),),
)
