"""IMP009 import-side-effect: module-level code that does work at import time."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import Finding, Severity
from scaffold.check.rules.unit import Check, FileContext, Rule, RuleDocs, Scope

__all__ = ["RULE"]


def check(ctx: FileContext) -> Iterator[Finding]:
    if ctx.source.exempt:
        return
    for span, what in ctx.facts.side_effects:
        yield RULE.finding(ctx.source.rel, span, what=what)


RULE = Rule(
    code="IMP009",
    name="import-side-effect",
    severity=Severity.WARNING,
    message="{what}",
    docs=RuleDocs(
        what="Finds module-level code that does work at import time: a call used as a"
        " statement, `print`/`input`/`open`/`exit` anywhere at module level, or a"
        " module-level `while`.",
        why="Importing a module should be cheap and harmless; tools, tests and other modules"
        " import it without wanting the effect. Put it under `if __name__ == '__main__':`"
        " or in a function.",
        example='import logging\nlogging.basicConfig(level="INFO")\nprint("loaded")',
        use_instead='import logging\n\ndef main() -> None:\n    logging.basicConfig(level="INFO")'
        '\n\nif __name__ == "__main__":\n    main()',
        exemptions="Test files, setup.py, conftest.py and __main__.py; methods of an"
        " object the module built itself (configuration, not an effect).",
    ),
    checks=(Check(Scope.FILE, check),),
)
