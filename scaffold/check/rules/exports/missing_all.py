"""EXP005 missing-all: a package that imports names but declares no `__all__`; its fix."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

from scaffold.check.imports.graph import build_graph
from scaffold.check.model import FILE_SPAN, Diagnostic, Finding, Severity, Where
from scaffold.check.rules.exports.package_api import first_party, public_package, runtime_imports
from scaffold.check.rules.unit import Check, FileContext, FixContext, FixKind, Rule, RuleDocs, Scope
from scaffold.edit import DEFAULT_LINE_LENGTH, TextEdit, ruf022_key

__all__ = ["RULE"]


def check(ctx: FileContext) -> Iterator[Finding]:
    facts = ctx.facts
    if facts.defines_all or ctx.source.exempt or not public_package(ctx):
        return
    if any(not _is_dunder(name) for name in facts.assigned):
        return  # the `__init__.py` holds code of its own, not only re-exports
    if any(a.asname == a.name for imp in facts.imports for a in imp.names):
        return  # `import X as X`: the package marks its API the typing way
    if any(
        first_party(ctx, imp)
        and (imp.is_star or any(not (a.asname or a.name).startswith("_") for a in imp.names))
        for imp in runtime_imports(ctx)
    ):
        yield RULE.finding(ctx.source.rel, FILE_SPAN)


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def fix(ctx: FixContext, diagnostics: Sequence[Diagnostic]) -> None:
    """Declare what `from pkg import *` binds today, after the module's imports."""
    if not diagnostics or not ctx.source.is_package:
        return
    names = _public_names(ctx)
    if not names:
        return
    items = [f'"{n}"' for n in sorted(names, key=ruf022_key)]
    one_line = f"__all__ = [{', '.join(items)}]"
    if len(one_line) > DEFAULT_LINE_LENGTH:
        one_line = "__all__ = [\n" + "".join(f"    {i},\n" for i in items) + "]"
    ctx.edits.append(_after_imports(ctx, one_line))
    ctx.fixed += len(diagnostics)


def _public_names(ctx: FixContext) -> list[str] | None:
    """What `from pkg import *` binds today without `__all__`: public names and submodules."""
    project, source = ctx.project, ctx.source
    names: set[str] = set()
    facts = project.facts.get(source.key)
    if facts is None or facts.error is not None or facts.dynamic or facts.has_getattr:
        return None
    names |= facts.bindings
    for imp in facts.imports:
        if imp.is_star and imp.binds and imp.where is Where.MODULE:
            brought = project.star_names(source, imp)
            if brought is None:
                return None
            names |= brought
    prefix = f"{source.module}."
    submodules = {
        name for name in names if project.find(f"{prefix}{name}", source.scope) is not None
    }
    names = (names - submodules) | _imported_children(ctx)
    return sorted(n for n in names if not n.startswith("_"))


def _imported_children(ctx: FixContext) -> set[str]:
    """Submodules imported while the package initialises: each becomes one of its attributes.

    One imported only on some platform or inside `try` may not be, and naming it in
    __all__ would make `from pkg import *` import it, so only unconditional imports count.
    """
    project, source = ctx.project, ctx.source
    graph = build_graph(project)
    seen = {source.key}
    stack = [source.key]
    prefix = f"{source.module}."
    children: set[str] = set()
    while stack:
        key = stack.pop()
        key_facts = project.facts.get(key)
        optional = {
            imp.span
            for imp in (key_facts.imports if key_facts else ())
            if imp.conditional or imp.guarded
        }
        for edge in graph.get(key, []):
            if edge.target in seen or edge.span in optional:
                continue
            seen.add(edge.target)
            stack.append(edge.target)
            target = project.files.get(edge.target)
            if target is not None and target.module.startswith(prefix) and not target.scope:
                children.add(target.module[len(prefix) :].partition(".")[0])
    return children


def _after_imports(ctx: FixContext, statement: str) -> TextEdit:
    """Insert a statement after the module's top-level imports, a blank line before it."""
    last: ast.stmt | None = None
    for stmt in ctx.tree.body:
        if isinstance(stmt, ast.Import | ast.ImportFrom) or (
            isinstance(stmt, ast.Try | ast.If)
            and any(isinstance(s, ast.Import | ast.ImportFrom) for s in stmt.body)
        ):
            last = stmt
    if last is None:
        body = ctx.tree.body
        docstring = (
            body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        )
        if not docstring:
            return TextEdit(0, 0, f"{statement}\n\n")
        last = body[0]
    at = ctx.offsets.line_end(ctx.offsets.end(last))
    if at == len(ctx.text):
        return TextEdit(at, at, f"\n\n{statement}\n")
    return TextEdit(at, at, f"\n\n{statement}")


RULE = Rule(
    code="EXP005",
    name="missing-all",
    severity=Severity.WARNING,
    message="package imports names but defines no __all__",
    docs=RuleDocs(
        what="Finds a package `__init__.py` that imports first-party names but defines no"
        " `__all__`.",
        why="Without `__all__` the public API is whatever happens to be imported, and"
        " `from pkg import *` drags in helpers by accident.",
        example="# pkg/__init__.py\nfrom .core import load, save",
        use_instead='# pkg/__init__.py\nfrom .core import load, save\n\n__all__ = ["load", "save"]',
        exemptions="Private packages (`pip._internal`), exempt files (tests, scripts),"
        " packages that import only `_private` names, an `__init__.py` that holds code of"
        " its own (a def, a class or an assignment other than a dunder such as"
        " `__version__`: its API is more than its re-exports), and one that marks its API"
        " with `import X as X` (the typing convention).",
        fix_safety="The `__all__` it writes lists exactly what `from pkg import *` binds today "
        "(public names and the submodules the package imports unconditionally), so star "
        "imports keep working as before.",
    ),
    checks=(Check(Scope.FILE, check),),
    fix=FixKind.SAFE,
    fixer=fix,
)
