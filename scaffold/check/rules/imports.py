"""IMP rules: wildcard, cyclic, sibling, relative, unresolved, private and path-hacking imports."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping

from scaffold.check.discover import SourceFile
from scaffold.check.imports.graph import Edge, build_graph, shortest_cycle, strongly_connected
from scaffold.check.imports.simulation import Failure, locate, simulate_failures
from scaffold.check.model import Finding, ImportFact, ModuleFacts, Related
from scaffold.check.project import Project

__all__ = ["check_cycles", "check_import_time", "check_imports", "import_time_starts"]


def _private_part(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def check_imports(project: Project, source: SourceFile, facts: ModuleFacts) -> Iterator[Finding]:
    """IMP001 and IMP004-IMP009 for one module."""
    for imp in facts.imports:
        if imp.is_star:
            yield from _wildcard(project, source, imp)
        yield from _sibling(project, source, imp)
        yield from _relative(project, source, imp)
        yield from _unresolved(project, source, imp)
        if not source.is_test:
            yield from _private(project, source, imp)
    if not source.exempt:
        for span, message in facts.path_hacks:
            yield Finding("IMP008", source.rel, span, message)
        for span, message in facts.side_effects:
            yield Finding("IMP009", source.rel, span, message)


def _wildcard(project: Project, source: SourceFile, imp: ImportFact) -> Iterator[Finding]:
    module = project.absolute(source, imp)
    if source.is_package and module is not None and module.startswith(source.module + "."):
        target = project.find(module, source.scope)
        if target is not None and target.file is not None:
            facts = project.facts.get(target.file.key)
            if facts is not None and facts.defines_all:
                return  # the package re-exports a submodule's declared API
    shown = "." * imp.level + imp.module
    yield Finding("IMP001", source.rel, imp.span, f"`from {shown} import *` hides what it binds")


def _sibling(project: Project, source: SourceFile, imp: ImportFact) -> Iterator[Finding]:
    if imp.level or not source.in_package or not source.module:
        return
    if imp.guarded or imp.conditional:
        return  # `if __package__:` / `try:` dual-mode code chooses the import deliberately
    heads = [imp.module] if imp.is_from else [a.name for a in imp.names]
    package = source.module if source.is_package else source.module.rpartition(".")[0]
    for dotted in heads:
        head = dotted.partition(".")[0]
        if head == "__main__" or head in sys.stdlib_module_names:
            continue  # `import __main__` is the running program, never the sibling file
        if project.find(head, source.scope) is not None:
            continue
        sibling = project.find(f"{package}.{head}", source.scope)
        if sibling is None or sibling.file is source:
            continue  # naming itself means the installed distribution of the same name
        fix = f"from .{dotted} import ..." if imp.is_from else f"from . import {head}"
        yield Finding(
            "IMP004",
            source.rel,
            imp.span,
            f"'{head}' is a sibling module in package '{package}': this import works only with"
            f" the package folder on sys.path; use `{fix}`",
        )


def _relative(project: Project, source: SourceFile, imp: ImportFact) -> Iterator[Finding]:
    if imp.level and project.absolute(source, imp) is None and (source.module or source.scope):
        yield Finding(
            "IMP005",
            source.rel,
            imp.span,
            f"relative import `from {'.' * imp.level}{imp.module} import ...` climbs above"
            " the top-level package",
        )


def _missing_module(project: Project, name: str, scope: str) -> str | None:
    """The first missing prefix of `name`, when its parent is fully known to lack it."""
    parts = name.split(".")
    for i in range(2, len(parts) + 1):
        prefix = ".".join(parts[:i])
        if project.find(prefix, scope) is not None:
            continue
        parent = project.find(".".join(parts[: i - 1]), scope)
        if parent is None or parent.file is None or not parent.file.is_package:
            return None  # a namespace portion may live elsewhere; a module is IMP006 by name
        facts = project.facts.get(parent.file.key)
        if facts is None or facts.dynamic or facts.has_getattr or facts.error is not None:
            return None
        return prefix
    return None


def _unresolved(project: Project, source: SourceFile, imp: ImportFact) -> Iterator[Finding]:
    if imp.guarded:
        return  # `try: import x except ImportError:` expects it may be missing
    module = project.absolute(source, imp)
    if module is None or not module or not project.is_first_party(module, source.scope):
        return
    if not imp.is_from:
        missing = _missing_module(project, module, source.scope)
        if missing is not None:
            yield Finding("IMP006", source.rel, imp.span, f"no module named '{missing}'")
        return
    target = project.find(module, source.scope)
    if target is None:
        missing = _missing_module(project, module, source.scope)
        if missing is not None:
            yield Finding("IMP006", source.rel, imp.span, f"no module named '{missing}'")
        return
    for alias in imp.names:
        # Names a module binds only for type checkers still exist for them (can_import).
        if alias.name != "*" and project.can_import(target, alias.name, source.scope) is False:
            yield Finding(
                "IMP006",
                source.rel,
                alias.span,
                f"cannot import name '{alias.name}' from '{module}'",
                statement_line=imp.span.line,
            )


def _private(project: Project, source: SourceFile, imp: ImportFact) -> Iterator[Finding]:
    module = project.absolute(source, imp)
    if module is None or not module or not project.is_first_party(module, source.scope):
        return
    top = module.partition(".")[0]
    if not source.module:
        return  # a file no import can reach (PKG003) has no package to compare with
    own_top = source.module.partition(".")[0] if not source.scope else None
    if imp.level or top == own_top:
        return
    # A private top-level package (`_pytest` behind `pytest`) exists to be imported by the
    # project's public packages; reaching into another package's privates is what counts.
    if imp.is_from:
        private = [p for p in module.split(".")[1:] if _private_part(p)]
        private += [a.name for a in imp.names if _private_part(a.name)]
    else:
        private = [p for a in imp.names for p in a.name.split(".")[1:] if _private_part(p)]
    if private:
        yield Finding(
            "IMP007",
            source.rel,
            imp.span,
            f"imports private '{private[0]}' from another package ('{top}')",
        )


def check_cycles(
    project: Project, graph: Mapping[str, list[Edge]] | None = None
) -> Iterator[Finding]:
    """IMP002: one finding per strongly connected group of first-party modules."""
    if graph is None:
        graph = build_graph(project)
    for group in strongly_connected(graph):
        loop = shortest_cycle(group, graph)
        if not loop:
            continue
        first = min(range(len(loop)), key=lambda i: project.files[loop[i].source].rel)
        loop = loop[first:] + loop[:first]
        files = project.files
        names = [files[e.source].module for e in loop] + [files[loop[0].source].module]
        related = [
            Related(
                files[e.source].rel,
                e.span.line,
                e.span.column,
                f"'{files[e.source].module}' imports '{files[e.target].module}'",
            )
            for e in loop
        ]
        in_loop = {e.source for e in loop}
        related += [
            Related(files[key].rel, 1, 1, f"'{files[key].module}' is in the same import cycle")
            for key in sorted(group, key=lambda k: files[k].rel)
            if key not in in_loop
        ]
        size = f" (a group of {len(group)} modules)" if len(group) > len(loop) else ""
        yield Finding(
            "IMP002",
            files[loop[0].source].rel,
            loop[0].span,
            f"import cycle: {' -> '.join(names)}{size}",
            tuple(related),
        )


def import_time_starts(project: Project) -> list[SourceFile]:
    """The modules IMP003 imports, each in a fresh (simulated) interpreter."""
    return [
        source
        for source in project.files.values()
        if source.module
        and not source.is_stub
        and not source.is_extension
        and not source.key.endswith("#file")
    ]


def check_import_time(
    project: Project, failures: Iterable[Failure] | None = None
) -> Iterator[Finding]:
    """IMP003: simulate importing every first-party module and report what would raise.

    `failures` are the simulation's result when it is already known (see `simulate_failures`).
    """
    if failures is None:
        failures = simulate_failures(project, import_time_starts(project)).failures
    located = sorted(
        (locate(project, failure) for failure in failures),
        key=lambda f: (f.key, f.span.line, f.span.column),
    )
    for failure in located:
        source = project.files[failure.key]
        related = tuple(
            Related(
                project.files[key].rel,
                span.line if span else 1,
                span.column if span else 1,
                f"'{project.files[key].module}' is still initialising, running this import",
            )
            for key, span in failure.chain
        )
        yield Finding("IMP003", source.rel, failure.span, failure.message, related)
