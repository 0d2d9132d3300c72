"""Architecture contracts over the import graph: which chains of imports break each contract.

The graph here is by module name (a contract names modules, not files), built from the same
per-file edges as IMP002, plus the imports inside functions and under `TYPE_CHECKING` when a
contract asks for them. A contract's modules are packages: `shop.ui` stands for itself and
everything below it, as in import-linter. The evaluation is pure: a Contract and a
ModuleGraph in, the broken (importer, imported) pairs with their shortest chains out.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from scaffold.check.contracts import Contract, NotInTreeError, module_pattern
from scaffold.check.imports.graph import (
    Edge,
    import_targets,
    in_graph,
    shortest_cycle,
    strongly_connected,
)
from scaffold.check.model import Span, Where
from scaffold.check.project import Project

__all__ = [
    "ModuleGraph",
    "ModuleNames",
    "Step",
    "Violation",
    "check_named",
    "evaluate",
    "module_graph",
    "module_names",
]


@dataclass(frozen=True, slots=True)
class Step:
    """One import of a chain: `importer` (in file `path`, at `span`) imports `imported`."""

    importer: str
    imported: str
    path: str
    span: Span


@dataclass(frozen=True)
class ModuleNames:
    """Every first-party module by name, with its file: enough to tell which modules a
    contract names, before any import is read."""

    paths: Mapping[str, str]  # module -> its file, relative to the checked folder
    names: list[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", sorted(self.paths))

    def package(self, name: str) -> set[str]:
        """`name` and every module below it."""
        start = bisect.bisect_left(self.names, name + ".")
        found = {name} if name in self.paths else set()
        for other in self.names[start:]:
            if not other.startswith(name + "."):
                break
            found.add(other)
        return found

    def children(self, name: str) -> list[str]:
        """The modules one level below `name` (a package's submodules and subpackages)."""
        depth = name.count(".") + 1
        return sorted(m for m in self.package(name) if m.count(".") == depth)

    def expand(self, pattern: str) -> list[str]:
        """The modules a name or an import-linter pattern (`*`, `**`) stands for."""
        if "*" not in pattern:
            return [pattern] if pattern in self.paths or self.package(pattern) else []
        regex = module_pattern(pattern)
        return [name for name in self.names if regex.match(name)]


@dataclass(frozen=True)
class ModuleGraph(ModuleNames):
    """Every first-party module by name, and for each the first import of each module it
    imports."""

    imports: Mapping[str, Mapping[str, Step]] = field(default_factory=dict)
    importers: Mapping[str, list[str]] = field(init=False)  # module -> who imports it
    # module -> its imports as a list: the contracts' searches walk them many times.
    steps: Mapping[str, list[Step]] = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        importers: dict[str, list[str]] = {}
        for source, out in self.imports.items():
            for target in out:
                importers.setdefault(target, []).append(source)
        object.__setattr__(self, "importers", importers)
        object.__setattr__(
            self, "steps", {m: list(out.values()) for m, out in self.imports.items()}
        )


@dataclass(frozen=True, slots=True)
class Violation:
    """A broken contract between two packages: `importer` may not reach `imported`, and does
    through `chains` (shortest first; each a list of imports from one module to another)."""

    importer: str
    imported: str
    chains: tuple[tuple[Step, ...], ...]
    detail: str = ""  # "sibling" for siblings of one layer, "undeclared" for exhaustive layers


def module_names(project: Project, keys: Iterable[str]) -> ModuleNames:
    """The modules of the graph's files (`keys`), by name; no import is read."""
    files = project.files
    paths: dict[str, str] = {}
    for key in keys:
        source = files[key]
        if not source.scope and source.module:  # a script folder's are not importable
            paths[source.module] = source.rel
    return ModuleNames(paths)


def module_graph(
    project: Project,
    graph: Mapping[str, Sequence[Edge]],
    *,
    type_checking: bool = False,
    function: bool = False,
) -> ModuleGraph:
    """The import graph by module name; `graph` gives the module-level edges by file."""
    files = project.files
    imports: dict[str, dict[str, Step]] = {}
    paths: dict[str, str] = {}
    for key, edges in graph.items():
        source = files[key]
        if source.scope or not source.module:
            continue  # a script folder's modules are not importable by these names
        paths[source.module] = source.rel
        out = imports.setdefault(source.module, {})
        for edge in edges:
            target = files[edge.target]
            if not target.scope and target.module:
                out.setdefault(
                    target.module, Step(source.module, target.module, source.rel, edge.span)
                )
    wanted = {Where.TYPE_CHECKING} if type_checking else set()
    wanted |= {Where.FUNCTION, Where.MAIN} if function else set()
    if wanted:
        _add_lazy_imports(project, imports, wanted)
    return ModuleGraph(paths, imports)


def _add_lazy_imports(
    project: Project, imports: dict[str, dict[str, Step]], wanted: set[Where]
) -> None:
    for source in project.files.values():
        if source.scope or not in_graph(source) or source.module not in imports:
            continue
        facts = project.facts.get(source.key)
        if facts is None or facts.error is not None:
            continue
        out = imports[source.module]
        for imp in facts.imports:
            if imp.where not in wanted:
                continue
            for target in import_targets(project, source, imp):
                name = target.name
                if target.file is not None and name != source.module and name in imports:
                    out.setdefault(name, Step(source.module, name, source.rel, imp.span))


def evaluate(contract: Contract, graph: ModuleGraph) -> list[Violation]:
    """Every broken (importer, imported) pair of one contract; NotInTreeError when a module or
    an import it names is not in the graph."""
    check_named(contract, graph)
    ignored = _ignored(contract, graph)
    if contract.kind == "forbidden":
        return _forbidden(contract, graph, ignored)
    if contract.kind == "independence":
        layer = [_expand_all(graph, contract.modules)]
        return _layered(graph, ignored, layer, independent=[True])
    if contract.kind == "layers":
        return _layers(contract, graph, ignored)
    return _acyclic_siblings(contract, graph, ignored)


def check_named(contract: Contract, names: ModuleNames) -> None:
    """NotInTreeError when a module the contract names (or a layer it lists, in each of its
    containers) is not in the tree: decided from the module names alone, so a contract about
    modules elsewhere costs no graph."""
    keys = {
        "layers": (("containers", contract.containers),),
        "forbidden": (
            ("source-modules", contract.sources),
            ("forbidden-modules", contract.forbidden),
        ),
        "independence": (("modules", contract.modules),),
        "acyclic-siblings": (("ancestors", contract.ancestors),),
    }
    for key, patterns in keys[contract.kind]:
        for pattern in patterns:
            if not names.expand(pattern):
                raise contract.error(
                    f"`{key}` names {pattern!r}, which matches no first-party module of the tree",
                    NotInTreeError,
                )
    if contract.kind != "layers":
        return
    for container in _expand_all(names, contract.containers) or [""]:
        prefix = f"{container}." if container else ""
        for layer in contract.layers:
            missing = [prefix + m for m in layer.modules if not names.package(prefix + m)]
            if missing and not layer.optional:
                raise contract.error(
                    f"layer {missing[0]!r} is not a first-party module of the tree"
                    " (write it as `(name)` if it may be missing)",
                    NotInTreeError,
                )


def _expand_all(names: ModuleNames, patterns: Iterable[str]) -> list[str]:
    found: list[str] = []
    for pattern in patterns:
        found.extend(m for m in names.expand(pattern) if m not in found)
    return found


def _ignored(contract: Contract, graph: ModuleGraph) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for importer, imported in contract.ignore_imports:
        left, right = module_pattern(importer), module_pattern(imported)
        matched = {
            (source, target)
            for source, out in graph.imports.items()
            if left.match(source)
            for target in out
            if right.match(target)
        }
        if not matched:
            raise contract.error(
                f"`ignore-imports` holds '{importer} -> {imported}', which matches no import;"
                " remove it",
                NotInTreeError,
            )
        pairs |= matched
    return pairs


class _Search:
    """Breadth-first searches over one contract's graph (its ignored imports left out): from
    one module, through modules that are not `closed`, to the closed ones it reaches."""

    def __init__(self, graph: ModuleGraph, ignored: set[tuple[str, str]]) -> None:
        self.graph = graph
        self.ignored = ignored
        self.out: Mapping[str, list[Step]] = graph.steps
        if ignored:
            self.out = {
                module: [s for s in steps if (s.importer, s.imported) not in ignored]
                for module, steps in graph.steps.items()
            }

    def reaching(self, targets: set[str], closed: set[str]) -> set[str]:
        """The targets, the open modules with a chain into them through open modules, and the
        closed modules importing either."""
        reach = set(targets)
        queue = deque(targets)
        importers = self.graph.importers
        while queue:
            module = queue.popleft()
            if module not in targets and module in closed:
                continue
            for source in importers.get(module, ()):
                if source not in reach and (source, module) not in self.ignored:
                    reach.add(source)
                    queue.append(source)
        return reach

    def parents(
        self, source: str, closed: set[str], reach: set[str], *, direct_only: bool = False
    ) -> dict[str, Step]:
        """Each module of `reach` found from `source`, with the import it was first found
        through (so a shortest chain to each), entering no closed module but `source`. Only
        modules that reach `reach` lead anywhere, so the others are never walked; that does
        not change which import finds a module first."""
        parents: dict[str, Step] = {}
        out = self.out
        queue = deque([source])
        while queue:
            for step in out.get(queue.popleft(), ()):
                nxt = step.imported
                if nxt in parents or nxt == source or nxt not in reach:
                    continue
                parents[nxt] = step
                if not direct_only and nxt not in closed:
                    queue.append(nxt)
        return parents

    def leads(self, source: str, reach: set[str]) -> bool:
        """Whether `source` imports anything that reaches the targets at all."""
        return any(step.imported in reach for step in self.out.get(source, ()))


def _forbidden(
    contract: Contract, graph: ModuleGraph, ignored: set[tuple[str, str]]
) -> list[Violation]:
    sources = _expand_all(graph, contract.sources)
    targets = _expand_all(graph, contract.forbidden)
    search = _Search(graph, ignored)
    found: list[Violation] = []
    for source in sorted(sources):
        for target in sorted(targets):
            if (
                source == target
                or target.startswith(source + ".")
                or source.startswith(target + ".")
            ):
                continue  # a module is never forbidden from itself
            low, high = graph.package(source), graph.package(target)
            closed = low | high
            reach = high if contract.allow_indirect else search.reaching(high, closed)
            chains: list[tuple[Step, ...]] = []
            for module in sorted(low):
                if search.leads(module, reach):
                    parents = search.parents(
                        module, closed, reach, direct_only=contract.allow_indirect
                    )
                    chains += _chains_to(parents, high, module)
            if chains:
                found.append(Violation(source, target, _shortest_first(chains)))
    return found


def _layers(
    contract: Contract, graph: ModuleGraph, ignored: set[tuple[str, str]]
) -> list[Violation]:
    containers = _expand_all(graph, contract.containers)
    found: list[Violation] = []
    for container in containers or [""]:
        prefix = f"{container}." if container else ""
        layers: list[list[str]] = []
        independent: list[bool] = []
        for layer in contract.layers:  # check_named made sure each one is present or optional
            layers.append([prefix + m for m in layer.modules if graph.package(prefix + m)])
            independent.append(layer.independent)
        found.extend(_layered(graph, ignored, layers, independent))
        if contract.exhaustive:
            found.extend(_undeclared(contract, graph, container))
    return found


def _layered(
    graph: ModuleGraph,
    ignored: set[tuple[str, str]],
    layers: list[list[str]],
    independent: list[bool],
) -> list[Violation]:
    """Lower layers may not reach higher ones, nor independent siblings each other; a chain
    through a third layer is that layer's business, so every layer's modules are closed to
    the chains between two others (as grimp does). The closed modules are then the same for
    every pair, so each module of a lower package is searched from once, for all the higher
    packages together, instead of once per pair."""
    packages = {name: graph.package(name) for layer in layers for name in layer}
    every = set().union(*packages.values()) if packages else set()
    pairs: list[tuple[str, str, str]] = []
    for high_index, high_layer in enumerate(layers):
        for low_layer in layers[high_index + 1 :]:
            pairs += [(low, high, "") for low in low_layer for high in high_layer]
        if independent[high_index]:
            pairs += [(a, b, "sibling") for a in high_layer for b in high_layer if a != b]
    highs: dict[str, list[str]] = {}
    for low, high, _ in pairs:
        highs.setdefault(low, []).append(high)
    search = _Search(graph, ignored)
    reach = search.reaching(every, every)
    chains: dict[tuple[str, str], list[tuple[Step, ...]]] = {}
    for low, above in highs.items():
        for module in sorted(packages[low]):
            if not search.leads(module, reach):
                continue
            parents = search.parents(module, every, reach)
            for high in above:
                found = _chains_to(parents, packages[high], module)
                chains.setdefault((low, high), []).extend(found)
    return [
        Violation(low, high, _shortest_first(chains[low, high]), detail)
        for low, high, detail in pairs
        if chains.get((low, high))
    ]


def _undeclared(contract: Contract, graph: ModuleGraph, container: str) -> Iterator[Violation]:
    named = [m for layer in contract.layers for m in layer.modules]
    declared = {f"{container}.{m}" for m in [*named, *contract.exhaustive_ignores]}
    for child in graph.children(container):
        if child not in declared:
            yield Violation(child, container, (), "undeclared")


def _chains_to(
    parents: Mapping[str, Step], targets: set[str], start: str
) -> list[tuple[Step, ...]]:
    """The chain from `start` to each target a search from it found."""
    found = parents.keys() & targets if len(targets) > len(parents) else targets & parents.keys()
    return [_walk_back(parents, target, start) for target in found]


def _shortest_first(chains: list[tuple[Step, ...]]) -> tuple[tuple[Step, ...], ...]:
    return tuple(sorted(chains, key=lambda c: (len(c), [(s.importer, s.imported) for s in c])))


def _walk_back(parents: Mapping[str, Step], end: str, start: str) -> tuple[Step, ...]:
    steps: list[Step] = []
    module = end
    while module != start:
        step = parents[module]
        steps.append(step)
        module = step.importer
    return tuple(reversed(steps))


def _acyclic_siblings(
    contract: Contract, graph: ModuleGraph, ignored: set[tuple[str, str]]
) -> list[Violation]:
    found: list[Violation] = []
    todo = [(a, contract.depth) for a in _expand_all(graph, contract.ancestors)]
    seen: set[str] = set()
    while todo:
        ancestor, depth = todo.pop(0)
        if ancestor in seen:
            continue
        seen.add(ancestor)
        children = graph.children(ancestor)
        if len(children) >= 2:
            found.extend(_sibling_cycles(graph, ancestor, ignored))
        if depth:
            todo.extend((child, depth - 1) for child in children)
    return found


def _sibling_cycles(
    graph: ModuleGraph, ancestor: str, ignored: set[tuple[str, str]]
) -> Iterator[Violation]:
    """One violation per group of children of `ancestor` that import each other in a loop
    (each child standing for its whole package), at a shortest loop of the group."""
    depth = ancestor.count(".") + 1
    child_of = {
        m: ".".join(m.split(".")[: depth + 1]) for m in graph.package(ancestor) if m != ancestor
    }
    between: dict[str, dict[str, Step]] = {}
    for module, child in sorted(child_of.items()):
        for step in graph.imports.get(module, {}).values():
            other = child_of.get(step.imported)
            if other is not None and other != child and (module, step.imported) not in ignored:
                between.setdefault(child, {}).setdefault(other, step)
    loops = {
        child: [Edge(child, other, step.span) for other, step in sorted(out.items())]
        for child, out in between.items()
    }
    for group in strongly_connected(loops):
        loop = shortest_cycle(group, loops)
        steps = tuple(between[edge.source][edge.target] for edge in loop)
        yield Violation(ancestor, ", ".join(group), (steps,), "cycle")
