"""IMP003 import-time-cycle: an import that fails because its target is still initialising."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.imports.simulation import locate
from scaffold.check.model import Finding, Related, Severity
from scaffold.check.rules.unit import Check, ImportTimeContext, Rule, RuleDocs, Scope

__all__ = ["RULE"]


def check(ctx: ImportTimeContext) -> Iterator[Finding]:
    project = ctx.project
    located = sorted(
        (locate(project, failure) for failure in ctx.failures),
        key=lambda f: (f.key, f.span.line, f.span.column),
    )
    for failure in located:
        source = project.files[failure.key]
        related = tuple(
            Related(
                project.files[key].rel,
                span.line if span else 1,
                span.column if span else 1,
                f"'{project.files[key].module}' is still initialising, running this import",
            )
            for key, span in failure.chain
        )
        yield RULE.finding(source.rel, failure.span, related=related, what=failure.message)


RULE = Rule(
    code="IMP003",
    name="import-time-cycle",
    severity=Severity.ERROR,
    message="{what}",
    docs=RuleDocs(
        what="Finds an import (or a module-level attribute read) that fails at import time"
        " because its target is still initialising, by simulating Python's import order.",
        why="`ImportError: cannot import name ... (most likely due to a circular import)` or"
        " `AttributeError: partially initialized module` the moment someone imports it.",
        example="# pkg/a.py\nfrom pkg.b import helper\nVALUE = 1\n# pkg/b.py\n"
        "from pkg.a import VALUE\ndef helper(): ...",
        use_instead="# pkg/b.py: import the module, read the name when it is needed\n"
        "from pkg import a\ndef helper():\n    return a.VALUE",
        exemptions="Self-contained: the finding's related locations name every module"
        " still initialising and the import it was running, so a loop through a package's"
        " `__init__` (which IMP002 leaves out) is named here. What the simulation follows:"
        " an `if` on `sys.version_info` or `sys.platform` takes the branch the Python"
        " running scaffold takes; a failure inside `try:` whose handler catches it"
        " (`except ImportError:`, `Exception`, a bare `except:`) runs that handler"
        " instead (which may fail too); a module-level function called at import time runs"
        " the imports its body starts with; a star import brings only what its module has"
        " bound so far; a module `__getattr__` serves names only once defined. Imports in"
        " other branches, loops and handlers of unknown exception classes are not"
        " simulated as failing.",
    ),
    checks=(Check(Scope.IMPORT_TIME, check),),
)
