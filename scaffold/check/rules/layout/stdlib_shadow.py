"""PKG002 stdlib-shadow: a top-level module or package named like a standard-library one."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

from scaffold.check.model import FILE_SPAN, Finding, Severity
from scaffold.check.rules.unit import Check, PeerCode, Rule, RuleDocs, Scope, TreeContext

__all__ = ["RULE"]

# Names in sys.stdlib_module_names that a project may use at its top without harm.
_HARMLESS = frozenset({"__main__", "__init__", "__future__", "this", "antigravity"})
# Every interpreter (3.10 to 3.13) has imported these before the script's folder or the
# current folder joins sys.path, so `import os` finds them in sys.modules: a local `os.py`
# never shadows them (the test compares this with a fresh interpreter's sys.modules).
STARTUP_MODULES = frozenset(
    {
        "_collections_abc",
        "_sitebuiltins",
        "abc",
        "codecs",
        "encodings",
        "genericpath",
        "io",
        "os",
        "posixpath",
        "site",
        "stat",
        "zipimport",
    }
)


def _shadows(name: str) -> bool:
    # A built-in module (compiled into the interpreter, as `sys` or `_abc`) is found by the
    # first importer on sys.meta_path, before any folder on sys.path is looked at.
    return (
        name in sys.stdlib_module_names
        and name not in _HARMLESS
        and name not in sys.builtin_module_names
        and name not in STARTUP_MODULES
    )


def check(ctx: TreeContext) -> Iterator[Finding]:
    for folder in ctx.tree.folders:
        name = folder.path.name
        if folder.has_init and folder.module and "." not in folder.module and _shadows(name):
            yield RULE.finding(folder.rel, FILE_SPAN, kind="package", name=name)
    for source in ctx.tree.files:
        if source.is_stub or source.is_extension or source.scope or source.is_package:
            continue
        stem = os.path.basename(source.file)[:-3]
        if source.module == stem and _shadows(stem):
            yield RULE.finding(source.rel, FILE_SPAN, kind="module", name=stem)


_WHEN = (
    " whenever its folder comes first on sys.path (`python -m`, `python -c` or a script run"
    " from that folder); installed, it is the one never imported"
)

RULE = Rule(
    code="PKG002",
    name="stdlib-shadow",
    severity=Severity.ERROR,
    message={
        "package": "top-level package '{name}' shadows the standard-library module '{name}'"
        + _WHEN,
        "module": "top-level module '{name}' shadows the standard-library module '{name}'" + _WHEN,
    },
    docs=RuleDocs(
        what="Finds a top-level module or package named like a standard-library module.",
        why="Whichever comes first on `sys.path` wins: the project or the standard library breaks.",
        example="random.py",
        use_instead="random_utils.py",
        exemptions="Built-in modules (`sys.builtin_module_names`, such as `sys`, `time` or"
        " `_abc`) and the modules every interpreter imports before it reads the script's"
        " folder (`os`, `io`, `abc`, `codecs`, `stat`, `site`, ...) are never shadowed by a"
        " local file, so naming a module after them is left alone. Script folders (no"
        " `__init__.py`) are not checked.",
    ),
    checks=(Check(Scope.TREE, check),),
    peer_codes=(PeerCode("ruff", "A005", "stdlib-module-shadowing"),),
)
