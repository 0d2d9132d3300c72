"""What the ARC rules share: the configured contracts, their evaluation, chains as findings.

Each broken contract is reported at the first import of every offending chain (that is the
line to change, and where a noqa comment silences it); the chains that start there, shortest
first, are the finding's related locations, capped with a count of the rest.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, NamedTuple

from scaffold.check.model import FILE_SPAN, Finding, Related
from scaffold.check.rules.unit import GraphContext, Rule

if TYPE_CHECKING:
    # Imported when a contract runs: a project without contracts does not pay for them.
    from scaffold.check.contracts import Contract
    from scaffold.check.imports.contracts import ModuleGraph, ModuleNames, Step, Violation

__all__ = ["MAX_CHAINS", "Broken", "broken_contracts", "chain_findings", "step_related"]

MAX_CHAINS = 3  # chains listed per finding; the rest are counted


class Broken(NamedTuple):
    """One contract of a kind, its violations, and the graph they were found in."""

    contract: Contract
    violations: list[Violation]
    graph: ModuleGraph


# The module graphs of the last run, by the switches they were built with: the four ARC rules
# run over the same GraphContext, and the graph by module name costs a pass over every edge.
_built: dict[tuple[int, bool, bool], tuple[object, ModuleGraph]] = {}
# The module names of the last run's graph: whether a contract names modules of the tree is
# decided from them, so one about modules elsewhere builds (and reads) no graph at all.
_named: dict[int, tuple[object, ModuleNames]] = {}


def _graph_for(ctx: GraphContext, contract: Contract) -> ModuleGraph:
    key = (id(ctx.graph), contract.include_type_checking, contract.include_function_imports)
    held = _built.get(key)
    if held is not None and held[0] is ctx.graph:
        return held[1]
    if held is None and len(_built) >= 4:
        _built.clear()
    from scaffold.check.imports.contracts import module_graph

    graph = module_graph(
        ctx.project,
        ctx.graph,
        type_checking=contract.include_type_checking,
        function=contract.include_function_imports,
    )
    _built[key] = (ctx.graph, graph)
    return graph


def _names_for(ctx: GraphContext) -> ModuleNames:
    """The graph's modules by name (no import read), kept for the run like its graphs."""
    held = _named.get(id(ctx.graph))
    if held is not None and held[0] is ctx.graph:
        return held[1]
    from scaffold.check.imports.contracts import module_names

    _named.clear()
    names = module_names(ctx.project, ctx.graph)
    _named[id(ctx.graph)] = (ctx.graph, names)
    return names


def _contracts(ctx: GraphContext) -> Iterator[tuple[Contract, bool]]:
    """Every contract configured in the checked tree (the pyproject.toml above it and each
    workspace member's), and whether the checked folder holds the whole project it is about
    (its pyproject.toml is at or below the folder)."""
    for config in ctx.configs:
        whole = ctx.base is None or config.directory.is_relative_to(ctx.base)
        for contract in config.contracts:
            yield contract, whole


def broken_contracts(ctx: GraphContext, kind: str) -> Iterator[Broken]:
    """The configured contracts of one kind that the graph breaks. A contract naming a module
    the tree does not hold is an error when the whole project was checked, and is left out
    when only a folder inside it was (the module may be elsewhere in the project)."""
    for contract, whole in _contracts(ctx):
        if contract.kind != kind:
            continue
        from scaffold.check.contracts import NotInTreeError
        from scaffold.check.imports.contracts import check_named, evaluate

        try:
            check_named(contract, _names_for(ctx))
            graph = _graph_for(ctx, contract)
            violations = evaluate(contract, graph)
        except NotInTreeError:
            if whole:
                raise
            continue
        if violations:
            yield Broken(contract, violations, graph)


def step_related(step: Step, prefix: str = "") -> Related:
    """One import of a chain as a related location."""
    return Related(
        step.path,
        step.span.line,
        step.span.column,
        f"{prefix}'{step.importer}' imports '{step.imported}'",
    )


def chain_findings(
    rule: Rule, broken: Broken, kinds: Mapping[str, str] | None = None
) -> Iterator[Finding]:
    """One finding per first import of the broken contract's chains: there, with the chains
    that start with it (shortest first, at most MAX_CHAINS, then a count) as related."""
    by_first: dict[tuple[str, str], list[tuple[tuple[Step, ...], Violation]]] = {}
    for violation in broken.violations:
        if violation.detail == "undeclared":
            yield rule.finding(
                broken.graph.paths.get(violation.importer, "."),
                FILE_SPAN,
                kind="undeclared",
                contract=broken.contract.name,
                low=violation.importer,
                high=violation.imported,
                importer=violation.importer,
                imported=violation.imported,
                via="",
            )
            continue
        for chain in violation.chains:
            by_first.setdefault((chain[0].importer, chain[0].imported), []).append(
                (chain, violation)
            )
    for _, chains in sorted(by_first.items()):
        chains.sort(key=lambda item: (len(item[0]), [s.imported for s in item[0]]))
        shortest, violation = chains[0]
        first = shortest[0]
        related: list[Related] = []
        for number, (chain, _) in enumerate(chains[:MAX_CHAINS], start=1):
            label = f"chain {number}: " if len(chains) > 1 else ""
            related += [step_related(step, label) for step in chain]
        if len(chains) > MAX_CHAINS:
            rest = len(chains) - MAX_CHAINS
            related.append(
                Related(
                    first.path,
                    first.span.line,
                    first.span.column,
                    f"and {rest} more chain{'s' if rest != 1 else ''} starting with this import",
                )
            )
        via = "" if len(shortest) == 1 else f" (through a chain of {len(shortest)} imports)"
        kind = (kinds or {}).get(violation.detail, violation.detail or "default")
        yield rule.finding(
            first.path,
            first.span,
            related=tuple(related),
            kind=kind,
            contract=broken.contract.name,
            low=violation.importer,
            high=violation.imported,
            importer=first.importer,
            imported=first.imported,
            via=via,
        )
