"""IMP006 unresolved-import: a first-party module or name that does not exist."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import Finding, ImportFact, Severity
from scaffold.check.project import Project
from scaffold.check.rules.unit import Check, FileContext, PeerCode, Rule, RuleDocs, Scope

__all__ = ["RULE"]


def _missing_module(project: Project, name: str, scope: str) -> tuple[str, str] | None:
    """The first missing prefix of `name` and its parent, when the parent is fully known to
    lack it."""
    parts = name.split(".")
    for i in range(2, len(parts) + 1):
        prefix = ".".join(parts[:i])
        if project.find(prefix, scope) is not None:
            continue
        parent = project.find(".".join(parts[: i - 1]), scope)
        if parent is None or parent.file is None:
            return None  # a namespace portion may live elsewhere
        # A plain module has no submodules unless it writes its `__path__` or `sys.modules`
        # (`dynamic`) or answers `__path__` from a module `__getattr__`, as for a package.
        facts = project.facts.get(parent.file.key)
        if facts is None or facts.dynamic or facts.has_getattr or facts.error is not None:
            return None
        return prefix, parent.name
    return None


def _is_package(project: Project, name: str, scope: str) -> bool:
    target = project.find(name, scope)
    return (
        target is None
        or target.file is None
        or (target.file.is_package and not target.is_init_module)
    )


def _unresolved(ctx: FileContext, imp: ImportFact) -> Iterator[Finding]:
    project, source = ctx.project, ctx.source
    module = project.absolute(source, imp)
    if module is None or not module or not project.is_first_party(module, source.scope):
        return
    target = project.find(module, source.scope) if imp.is_from else None
    if target is None:
        missing = _missing_module(project, module, source.scope)
        if missing is None:
            return
        prefix, parent = missing
        if _is_package(project, parent, source.scope):
            yield RULE.finding(source.rel, imp.span, kind="module", module=prefix)
        else:
            yield RULE.finding(
                source.rel, imp.span, kind="not_package", module=prefix, parent=parent
            )
        return
    for alias in imp.names:
        # Names a module binds only for type checkers still exist for them (can_import).
        if alias.name != "*" and project.can_import(target, alias.name, source.scope) is False:
            yield RULE.finding(
                source.rel,
                alias.span,
                statement_line=imp.span.line,
                kind="name",
                name=alias.name,
                module=module,
            )


def check(ctx: FileContext) -> Iterator[Finding]:
    for imp in ctx.facts.imports:
        if not imp.guarded:  # `try: import x except ImportError:` expects it may be missing
            yield from _unresolved(ctx, imp)


RULE = Rule(
    code="IMP006",
    name="unresolved-import",
    severity=Severity.ERROR,
    message={
        "module": "no module named '{module}'",
        "name": "cannot import name '{name}' from '{module}'",
        "not_package": "no module named '{module}'; '{parent}' is not a package",
    },
    docs=RuleDocs(
        what="Finds a first-party import of a module or name that does not exist, when the"
        " target's names are fully known.",
        why="It raises ImportError as soon as the statement runs.",
        example="from mygame.draw import draw_scores",
        use_instead="from mygame.draw import draw_score",
        exemptions="Imports under `try:` (the code expects them to fail), and targets whose"
        " names cannot be known (`__getattr__`, `globals()` writes, namespace portions).",
        options="`src` in `[tool.scaffold.check]`: further folders whose top-level modules are "
        "first-party, beside the project folder and `src/`.",
    ),
    checks=(Check(Scope.FILE, check),),
    peer_codes=(
        PeerCode("pylint", "E0401", "import-error"),
        PeerCode("pylint", "E0611", "no-name-in-module"),
    ),
)
