"""IMP004 bare-sibling-import: `from draw import f` inside a package; its fix."""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator, Sequence

from scaffold.check.model import Diagnostic, Finding, Severity
from scaffold.check.rules.unit import Check, FileContext, FixContext, FixKind, Rule, RuleDocs, Scope
from scaffold.edit import TextEdit

__all__ = ["RULE"]


def _package_of(source_module: str, is_package: bool) -> str:
    return source_module if is_package else source_module.rpartition(".")[0]


def _is_sibling(ctx: FileContext | FixContext, head: str) -> bool:
    """`head` names no top-level module but a module beside this one in its package."""
    project, source = ctx.project, ctx.source
    if head == "__main__" or head in sys.stdlib_module_names:
        return False  # `import __main__` is the running program, never the sibling file
    if project.find(head, source.scope) is not None:
        return False
    package = _package_of(source.module, source.is_package)
    sibling = project.find(f"{package}.{head}", source.scope)
    return sibling is not None and sibling.file is not source  # itself: the installed dist


def check(ctx: FileContext) -> Iterator[Finding]:
    source = ctx.source
    if not source.in_package or not source.module:
        return
    package = _package_of(source.module, source.is_package)
    for imp in ctx.facts.imports:
        if imp.level or imp.guarded or imp.conditional:
            continue  # `if __package__:` / `try:` dual-mode code chooses the import deliberately
        heads = [imp.module] if imp.is_from else [a.name for a in imp.names]
        for dotted in heads:
            head = dotted.partition(".")[0]
            if not _is_sibling(ctx, head):
                continue
            fix = f"from .{dotted} import ..." if imp.is_from else f"from . import {head}"
            yield RULE.finding(source.rel, imp.span, name=head, package=package, fix=fix)


def fix(ctx: FixContext, diagnostics: Sequence[Diagnostic]) -> None:
    """Make each reported import relative."""
    done: set[tuple[int, int, int, int]] = set()
    for diagnostic in diagnostics:
        where = _position(diagnostic)
        if where in done:
            continue
        done.add(where)
        for node, _ in ctx.nodes_at(diagnostic):
            if isinstance(node, ast.ImportFrom | ast.Import):
                edit = _relative_import(ctx, node)
                if edit is not None:
                    ctx.edits.append(edit)
                    ctx.fixed += sum(1 for d in diagnostics if _position(d) == where)
                break


def _position(diagnostic: Diagnostic) -> tuple[int, int, int, int]:
    return (diagnostic.line, diagnostic.column, diagnostic.end_line, diagnostic.end_column)


def _relative_import(ctx: FixContext, node: ast.Import | ast.ImportFrom) -> TextEdit | None:
    start, end = ctx.offsets.start(node), ctx.offsets.end(node)
    statement = ctx.text[start:end]
    if isinstance(node, ast.ImportFrom):
        match = re.match(r"from(?:[ \t]|\\\n)+", statement)
        if (
            node.level
            or match is None
            or not statement[match.end() :].startswith(node.module or "\0")
        ):
            return None
        at = start + match.end()
        return TextEdit(at, at, ".")
    pieces: list[str] = []
    plain: list[str] = []
    for alias in node.names:
        shown = alias.name if alias.asname is None else f"{alias.name} as {alias.asname}"
        if not _is_sibling(ctx, alias.name.partition(".")[0]):
            plain.append(shown)
            continue
        if plain:
            pieces.append(f"import {', '.join(plain)}")
            plain = []
        package, _, name = alias.name.rpartition(".")
        if package and alias.asname is None:
            return None  # `import draw.sub` binds `draw`; no relative form says that
        pieces.append(f"from .{package} import {name if package else shown}")
        if package:
            pieces[-1] += f" as {alias.asname}"
    if plain:
        pieces.append(f"import {', '.join(plain)}")
    line_start = ctx.offsets.line_start(start)
    indent = ctx.text[line_start:start]
    joiner = f"\n{indent}" if not indent.strip() else "; "
    return TextEdit(start, end, joiner.join(pieces))


RULE = Rule(
    code="IMP004",
    name="bare-sibling-import",
    severity=Severity.ERROR,
    message="'{name}' is a sibling module in package '{package}': this import works only with"
    " the package folder on sys.path; use `{fix}`",
    docs=RuleDocs(
        what="Finds `import draw` / `from draw import f` inside a package naming a sibling"
        " module that is not importable from the top.",
        why="It only works when the package folder itself is on `sys.path` (running a file as"
        " a script); installed or run with `python -m`, it raises ModuleNotFoundError.",
        example="# mygame/game.py\nfrom draw import draw_game",
        use_instead="# mygame/game.py\nfrom .draw import draw_game",
        exemptions="Imports under `try:` or `if` (dual-mode code that chooses deliberately),"
        " and a name that is also a top-level module or the standard library's.",
        fix_safety="The relative import names the module the bare import found when the package "
        "folder was on `sys.path`; installed or run with `python -m`, it now works too. "
        "`import draw.sub` is left alone: no relative form binds `draw` the same way.",
        options="`src` in `[tool.scaffold.check]`: further folders whose top-level modules are "
        "first-party, beside the project folder and `src/`.",
    ),
    checks=(Check(Scope.FILE, check),),
    fix=FixKind.SAFE,
    fixer=fix,
)
