"""The rule registry and the rule families, run together over a resolved project."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from scaffold.check.parse import Span
from scaffold.check.resolve import Project
from scaffold.check.rules.entry_points import check_entry_points
from scaffold.check.rules.exports import check_exports
from scaffold.check.rules.imports import check_cycles, check_import_time, check_imports
from scaffold.check.rules.layout import check_layout
from scaffold.check.rules.registry import RULES, Finding, FixKind, Rule, get_rule
from scaffold.check.tree import Tree

__all__ = ["RULES", "Finding", "FixKind", "Rule", "get_rule", "run_rules"]


def _guarded(tree: Tree, what: str, findings: Iterable[Finding]) -> list[Finding]:
    """Run one family to the end; an absurdly deep tree becomes a note, never a crash."""
    try:
        return list(findings)
    except RecursionError:
        tree.notes.append(f"skipped {what}: imports nest too deeply to analyse")
        return []


def run_rules(tree: Tree, project: Project, enabled: frozenset[str]) -> Iterator[Finding]:
    """Every finding of every enabled family; filtering by code happens afterwards."""
    for source in tree.files:
        facts = project.facts.get(source.key)
        if facts is None or source.is_stub:
            continue
        if facts.error is not None:
            error = facts.error
            yield Finding(error.code, source.rel, error.span, error.message)
            continue
        if any(code.startswith("EXP") for code in enabled):
            yield from _guarded(tree, source.rel, check_exports(project, source, facts))
        yield from _guarded(tree, source.rel, check_imports(project, source, facts))
    if any(code.startswith("PKG") for code in enabled):
        yield from check_layout(tree)
    if "IMP002" in enabled:
        yield from check_cycles(project)
    if "IMP003" in enabled:
        yield from _guarded(tree, "IMP003", check_import_time(project))
    for config in tree.configs:
        if config.pyproject is None or not config.directory.is_relative_to(tree.base):
            continue
        rel = tree.rel(config.pyproject)
        if config.error is not None:
            line, message = config.error
            yield Finding("SYN001", rel, _line(line), message)
        elif any(code.startswith("ENT") for code in enabled):
            yield from _guarded(tree, rel, check_entry_points(project, config, rel))


def _line(line: int) -> Span:
    return Span(line, 1, line, 1)
