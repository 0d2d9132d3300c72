"""IMP001 wildcard-import: `from module import *`."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import Finding, ImportFact, Severity
from scaffold.check.rules.unit import Check, FileContext, PeerCode, Rule, RuleDocs, Scope

__all__ = ["RULE"]


def _reexports_submodule_api(ctx: FileContext, imp: ImportFact) -> bool:
    """`from .core import *` in a package whose submodule declares `__all__`."""
    project, source = ctx.project, ctx.source
    module = project.absolute(source, imp)
    if not source.is_package or module is None or not module.startswith(source.module + "."):
        return False
    target = project.find(module, source.scope)
    if target is None or target.file is None:
        return False
    facts = project.facts.get(target.file.key)
    return facts is not None and facts.defines_all


def check(ctx: FileContext) -> Iterator[Finding]:
    for imp in ctx.facts.imports:
        if imp.is_star and not _reexports_submodule_api(ctx, imp):
            yield RULE.finding(ctx.source.rel, imp.span, module="." * imp.level + imp.module)


RULE = Rule(
    code="IMP001",
    name="wildcard-import",
    severity=Severity.WARNING,
    message="`from {module} import *` hides what it binds",
    docs=RuleDocs(
        what="Finds `from module import *`, except in an `__init__.py` from one of its own"
        " submodules that defines `__all__`.",
        why="Star imports hide where names come from and change silently when the other"
        " module grows.",
        example="from mygame.draw import *",
        use_instead="from mygame.draw import draw_game",
        exemptions="An `__init__.py` re-exporting one of its own submodules that declares"
        " `__all__`.",
    ),
    checks=(Check(Scope.FILE, check),),
    ruff_codes=("F403",),
    peer_codes=(
        PeerCode("pyflakes", "ImportStarUsed", "unable to detect undefined names (flake8 F403)"),
        PeerCode("pylint", "W0401", "wildcard-import"),
    ),
)
