"""EXP rules: what `__all__` says against what the module really binds."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.discover import SourceFile
from scaffold.check.model import FILE_SPAN, AllEntry, Finding, ModuleFacts, Where
from scaffold.check.project import Project
from scaffold.edit import ruf022_key

__all__ = ["check_exports"]


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _first_party_import(project: Project, source: SourceFile, module: str, level: int) -> bool:
    return level > 0 or project.is_first_party(module, source.scope)


def check_exports(project: Project, source: SourceFile, facts: ModuleFacts) -> Iterator[Finding]:
    """EXP001-EXP007 for one module."""
    rel = source.rel
    for span, message in facts.all_problems:
        yield Finding("EXP002", rel, span, message)
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
            yield Finding(
                "EXP002",
                rel,
                span,
                f"`{dotted}.__all__` does not exist: '{other.name}' defines no __all__",
            )
    if facts.defines_all:
        yield from _undefined(project, source, facts)
        yield from _duplicates(rel, facts)
        for entry in facts.all_entries:
            if _is_private(entry.name):
                yield Finding(
                    "EXP004", rel, entry.span, f"'{entry.name}' is private but listed in __all__"
                )
        for literal in facts.all_literals:
            names = list(literal.names)
            if len(names) > 1 and names != sorted(names, key=ruf022_key):
                yield Finding("EXP007", rel, literal.span, "__all__ is not sorted")
    # A private package (`pip._internal.vcs`) has no public API to declare or leak.
    if source.is_package and not any(_is_private(part) for part in source.module.split(".")):
        yield from _package_rules(project, source, facts)


def _undefined(project: Project, source: SourceFile, facts: ModuleFacts) -> Iterator[Finding]:
    names = project.names(source)
    if names is None:
        return  # __getattr__, a namespace-writing module or an opaque star import
    for entry in facts.all_entries:
        if entry.name in names:
            continue
        if source.is_package and project.find(f"{source.module}.{entry.name}", source.scope):
            continue  # a submodule: `from pkg import *` imports it
        if entry.name in facts.typing_bindings:
            message = f"'{entry.name}' is listed in __all__ but only imported under TYPE_CHECKING"
        else:
            message = f"'{entry.name}' is listed in __all__ but not defined"
        yield Finding("EXP001", source.rel, entry.span, message)
    # Names added with `__all__ += other.__all__` must be bound here too (by a star import).
    reported = {entry.name for entry in facts.all_entries}
    for span, brought in project.borrowed_alls(source):
        for name in sorted(brought or ()):
            if name in names or name in reported:
                continue
            if source.is_package and project.find(f"{source.module}.{name}", source.scope):
                continue
            reported.add(name)
            yield Finding(
                "EXP001",
                source.rel,
                span,
                f"'{name}' comes into __all__ from another module's __all__ but is not defined"
                " here",
            )


def _duplicates(rel: str, facts: ModuleFacts) -> Iterator[Finding]:
    seen: dict[str, AllEntry] = {}
    for entry in facts.all_entries:
        first = seen.get(entry.name)
        if first is None:
            seen[entry.name] = entry
            continue
        same_literal = any(
            lit.span.line <= first.span.line
            and entry.span.end_line <= lit.span.end_line
            and (lit.span.line, lit.span.column) <= (first.span.line, first.span.column)
            and (entry.span.end_line, entry.span.end_column)
            <= (lit.span.end_line, lit.span.end_column)
            for lit in facts.all_literals
        )
        # Alternatives in if/else or try/except branches may each list the name once.
        if same_literal or not (first.conditional or entry.conditional):
            yield Finding(
                "EXP003", rel, entry.span, f"'{entry.name}' is listed in __all__ more than once"
            )


def _package_rules(project: Project, source: SourceFile, facts: ModuleFacts) -> Iterator[Finding]:
    runtime = [
        imp
        for imp in facts.imports
        if imp.where is Where.MODULE and imp.binds and imp.module != "__future__"
    ]
    if not facts.defines_all:
        if source.exempt:
            return
        if any(
            _first_party_import(project, source, imp.module, imp.level)
            and (imp.is_star or any(not (a.asname or a.name).startswith("_") for a in imp.names))
            for imp in runtime
        ):
            yield Finding(
                "EXP005", source.rel, FILE_SPAN, "package imports names but defines no __all__"
            )
        return
    exported = project.all_names(source)
    if exported is None:
        return
    for imp in runtime:
        if not imp.is_from or imp.is_star:
            continue
        if not _first_party_import(project, source, imp.module, imp.level):
            continue
        module = project.absolute(source, imp)
        package = project.find(module, source.scope) if module is not None else None
        for alias in imp.names:
            local = alias.asname or alias.name
            if local.startswith("_") or alias.asname == alias.name:
                continue
            if local in exported or local in facts.uses:
                continue
            if package is not None and project.submodule(package, alias.name, source.scope):
                continue  # importing a submodule binds it on the package anyway
            yield Finding(
                "EXP006",
                source.rel,
                alias.span,
                f"'{local}' is imported but neither used, listed in __all__ nor re-exported"
                f" with `as {local}`",
                statement_line=imp.span.line,
            )
