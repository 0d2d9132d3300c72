"""EXP001 undefined-export: a name in `__all__` that the module never binds."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import Finding, Severity
from scaffold.check.rules.unit import Check, FileContext, PeerCode, Rule, RuleDocs, Scope

__all__ = ["RULE"]


def check(ctx: FileContext) -> Iterator[Finding]:
    project, source, facts = ctx.project, ctx.source, ctx.facts
    if not facts.defines_all:
        return
    names = project.names(source)
    if names is None:
        return  # __getattr__, a namespace-writing module or an opaque star import
    for entry in facts.all_entries:
        if entry.name in names:
            continue
        if source.is_package and project.find(f"{source.module}.{entry.name}", source.scope):
            continue  # a submodule: `from pkg import *` imports it
        kind = "typing" if entry.name in facts.typing_bindings else "undefined"
        yield RULE.finding(source.rel, entry.span, kind=kind, name=entry.name)
    # Names added with `__all__ += other.__all__` must be bound here too (by a star import).
    reported = {entry.name for entry in facts.all_entries}
    for span, brought in project.borrowed_alls(source):
        for name in sorted(brought or ()):
            if name in names or name in reported:
                continue
            if source.is_package and project.find(f"{source.module}.{name}", source.scope):
                continue
            reported.add(name)
            yield RULE.finding(source.rel, span, kind="borrowed", name=name)


RULE = Rule(
    code="EXP001",
    name="undefined-export",
    severity=Severity.ERROR,
    message={
        "undefined": "'{name}' is listed in __all__ but not defined",
        "typing": "'{name}' is listed in __all__ but only imported under TYPE_CHECKING",
        "borrowed": "'{name}' comes into __all__ from another module's __all__ but is not"
        " defined here",
    },
    docs=RuleDocs(
        what="Finds names listed in `__all__` that the module never binds.",
        why="`from module import *` raises AttributeError on such a name, and documentation"
        " tools and type checkers advertise something that is not there.",
        example='# mygame/draw.py\n__all__ = ["draw_game", "draw_score"]\n\ndef draw_game(): ...',
        use_instead='# mygame/draw.py\n__all__ = ["draw_game"]\n\ndef draw_game(): ...',
        exemptions="A module with `__getattr__`, one that writes its own namespace"
        " (`globals()`, `exec`) or star-imports something scaffold cannot read; a package's"
        " submodule listed by name.",
    ),
    checks=(Check(Scope.FILE, check),),
    ruff_codes=("F822",),
    peer_codes=(
        PeerCode("pyflakes", "UndefinedExport", "undefined name in __all__ (flake8 F822)"),
        PeerCode("pylint", "E0603", "undefined-all-variable"),
    ),
)
