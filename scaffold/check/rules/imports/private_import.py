"""IMP007 private-import: a `_private` module or name of another top-level package."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import Finding, ImportFact, Severity, Where
from scaffold.check.rules.names import is_private
from scaffold.check.rules.unit import Check, FileContext, PeerCode, Rule, RuleDocs, Scope

__all__ = ["RULE"]


def _private(ctx: FileContext, imp: ImportFact) -> Iterator[Finding]:
    project, source = ctx.project, ctx.source
    module = project.absolute(source, imp)
    if module is None or not module or not project.is_first_party(module, source.scope):
        return
    top = module.partition(".")[0]
    own_top = source.module.partition(".")[0] if not source.scope else None
    if imp.level or top == own_top:
        return
    # A private top-level package (`_pytest` behind `pytest`) exists to be imported by the
    # project's public packages; reaching into another package's privates is what counts.
    if imp.is_from:
        private = [p for p in module.split(".")[1:] if is_private(p)]
        private += [a.name for a in imp.names if is_private(a.name)]
    else:
        private = [p for a in imp.names for p in a.name.split(".")[1:] if is_private(p)]
    if private:
        yield RULE.finding(source.rel, imp.span, name=private[0], package=top)


def check(ctx: FileContext) -> Iterator[Finding]:
    if ctx.source.is_test or not ctx.source.module:
        return  # a file no import can reach (PKG003) has no package to compare with
    for imp in ctx.facts.imports:
        if imp.where is not Where.TYPE_CHECKING:  # for annotations only, as ruff's PLC2701
            yield from _private(ctx, imp)


RULE = Rule(
    code="IMP007",
    name="private-import",
    severity=Severity.OFF,  # opt-in: always true on real trees, rarely worth acting on
    message="imports private '{name}' from another package ('{package}')",
    docs=RuleDocs(
        what="Finds an import of a `_private` module or name from a different top-level"
        " first-party package (test files are exempt).",
        why="Private names may change without notice; depending on them across packages"
        " couples the two.",
        example="from core._cache import _lookup",
        use_instead="from core import lookup",
        exemptions="Test files; imports within the same top-level package; a private"
        " top-level package (`_pytest`) imported by its public one; imports under"
        " `if TYPE_CHECKING:`, which serve annotations only. A private name imported at run"
        " time and used only in annotations (with `from __future__ import annotations`) is"
        " still reported: the import runs, so the coupling is real. Off by default: select"
        " it by its code.",
        options="`src` in `[tool.scaffold.check]`: further folders whose top-level modules are "
        "first-party, beside the project folder and `src/`.",
    ),
    checks=(Check(Scope.FILE, check),),
    peer_codes=(
        PeerCode("pylint", "C2701", "import-private-name (extension; any private import)"),
        PeerCode("ruff", "PLC2701", "import-private-name (preview; any private import)"),
    ),
)
