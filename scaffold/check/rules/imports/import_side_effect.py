"""IMP009 import-side-effect: module-level code that does work at import time."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import Finding, Severity
from scaffold.check.rules.unit import Check, FileContext, Rule, RuleDocs, Scope

__all__ = ["RULE"]


def check(ctx: FileContext) -> Iterator[Finding]:
    if ctx.source.exempt:
        return
    for effect in ctx.facts.side_effects:
        # A call of something without a dotted name (`f()()`, `x[0]()`) is worded apart.
        kind = "unnamed-call" if effect.kind == "call" and not effect.name else effect.kind
        yield RULE.finding(ctx.source.rel, effect.span, kind=kind, name=effect.name)


RULE = Rule(
    code="IMP009",
    name="import-side-effect",
    severity=Severity.WARNING,
    message={
        "call": "`{name}(...)` runs at import time",
        "unnamed-call": "a call runs at import time",
        "while": "a module-level `while` loop runs at import",
    },
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
