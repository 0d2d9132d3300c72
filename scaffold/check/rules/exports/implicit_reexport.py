"""EXP006 implicit-reexport: a package imports a name it neither uses nor exports; its fix."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from scaffold.check.model import Diagnostic, Finding, Severity
from scaffold.check.rules.exports.package_api import first_party, public_package, runtime_imports
from scaffold.check.rules.unit import (
    Check,
    FileContext,
    FixContext,
    FixKind,
    PeerCode,
    Rule,
    RuleDocs,
    Scope,
)
from scaffold.edit import SourceEditError, add_to_all

__all__ = ["RULE"]


def check(ctx: FileContext) -> Iterator[Finding]:
    project, source, facts = ctx.project, ctx.source, ctx.facts
    if not facts.defines_all or not public_package(ctx):
        return
    exported = project.all_names(source)
    if exported is None:
        return
    for imp in runtime_imports(ctx):
        if not imp.is_from or imp.is_star or not first_party(ctx, imp):
            continue
        module = project.absolute(source, imp)
        package = project.find(module, source.scope) if module is not None else None
        for alias in imp.names:
            local = alias.asname or alias.name
            if local.startswith("_") or alias.asname == alias.name:
                continue
            if local in exported or local in facts.uses:
                continue
            if (
                alias.asname is None
                and package is not None
                and project.submodule(package, alias.name, source.scope)
            ):
                # Importing a submodule binds it on the package under its own name anyway;
                # `from . import renamed as bees` exports `bees` only through the alias.
                continue
            yield RULE.finding(source.rel, alias.span, statement_line=imp.span.line, name=local)


def fix(ctx: FixContext, diagnostics: Sequence[Diagnostic]) -> None:
    """List the names in `__all__` (unsafe: it widens the package's public API)."""
    added = [str(d.arg("name")) for d in diagnostics if d.arg("name")]
    names = list(dict.fromkeys(added))
    if not names:
        return

    def rewrite(text: str) -> str | None:
        try:
            return add_to_all(text, names)
        except SourceEditError:
            return None

    ctx.rewrites.append((rewrite, len(added)))


RULE = Rule(
    code="EXP006",
    name="implicit-reexport",
    severity=Severity.WARNING,
    message="'{name}' is imported but neither used, listed in __all__ nor re-exported with"
    " `as {name}`",
    docs=RuleDocs(
        what="Finds names an `__init__.py` with `__all__` imports from first-party modules but"
        " neither uses, lists in `__all__`, nor re-exports as `import x as x`.",
        why="Users start importing the name from the package although it is not part of its"
        " API; type checkers in strict mode reject that.",
        example='# pkg/__init__.py\nfrom .core import load, save\n\n__all__ = ["load"]',
        use_instead='# pkg/__init__.py\nfrom .core import load, save\n\n__all__ = ["load", "save"]',
        exemptions="`_private` names, names the package uses itself, and submodules imported"
        " under their own name (`from . import sub`: importing one binds it on the package"
        " anyway). A submodule imported under another name (`from . import renamed as"
        " bees`) is reported: `bees` exists only through that import.",
        fix_safety="Unsafe: listing a name in `__all__` makes it part of the package's public API, "
        "and `from pkg import *` starts to bind it. Applied only with `--unsafe-fixes`.",
    ),
    checks=(Check(Scope.FILE, check),),
    fix=FixKind.UNSAFE,
    fixer=fix,
    ruff_codes=("F401",),
    peer_codes=(PeerCode("pyflakes", "UnusedImport", "imported but unused (flake8 F401)"),),
)
