"""EXP002 invalid-all: an `__all__` that no reader can know statically."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import Finding, Severity
from scaffold.check.rules.unit import Check, FileContext, PeerCode, Rule, RuleDocs, Scope

__all__ = ["RULE"]


def check(ctx: FileContext) -> Iterator[Finding]:
    project, source, facts = ctx.project, ctx.source, ctx.facts
    for problem in facts.all_problems:
        yield RULE.finding(source.rel, problem.span, kind=problem.kind, method=problem.name)
    for dotted, span in facts.all_sources:
        other = project.resolve_local(source, dotted)
        if other is None or other.file is None:
            continue
        other_facts = project.facts.get(other.file.key)
        if (
            other_facts is not None
            and other_facts.error is None
            and not other_facts.defines_all
            and not other_facts.has_getattr
            and not other_facts.dynamic
        ):
            yield RULE.finding(source.rel, span, kind="no-source", source=dotted, module=other.name)


RULE = Rule(
    code="EXP002",
    name="invalid-all",
    severity=Severity.WARNING,
    message={
        "element": "__all__ must contain only string literals",
        "operator": "__all__ is changed with an unsupported operator",
        "expression": "__all__ is built from an expression scaffold cannot read",
        "value": "__all__ must be a list or tuple of string literals (or another __all__)",
        "arguments": "__all__.{method}() takes one argument",
        "argument": "__all__.{method}() must be given a string literal",
        "string": "__all__ is a string: `import *` would read it letter by letter",
        "mixed": "__all__ adds a list and a tuple: TypeError when the module runs",
        "unbound": "__all__ is extended before it is assigned: NameError when the module runs",
        "no-source": "`{source}.__all__` does not exist: '{module}' defines no __all__",
    },
    docs=RuleDocs(
        what="Finds `__all__` built from anything but string literals in a list or tuple"
        " (or `list(...)`, `tuple(...)`, `sorted(...)` of one), `+=`/`.extend`/`.append`/"
        "`__all__ + ...` of those, or another first-party module's `__all__`; and changes"
        " that raise when the module runs (a list added to a tuple, `+=` before any"
        " `__all__`).",
        why="Readers and tools (scaffold, ruff, type checkers, IDEs) cannot tell what is exported.",
        example='__all__ = [name for name in dir() if not name.startswith("_")]',
        use_instead='__all__ = ["load", "save"]\n__all__ += core.__all__',
        exemptions="`__all__` computed by a lazy loader in one assignment with other names"
        " (`__getattr__, __dir__, __all__ = lazy.attach_stub(...)`) is taken as existing"
        " but unknown.",
    ),
    checks=(Check(Scope.FILE, check),),
    ruff_codes=("PLE0604", "PLE0605"),
    peer_codes=(
        PeerCode("pylint", "E0604", "invalid-all-object"),
        PeerCode("pylint", "E0605", "invalid-all-format"),
    ),
)
