"""Which modules' simulated import can raise at all: a static pass before the simulation.

The import-order simulation (imports.simulation) reports a statement only while the module
it imports from, reads or star-imported is still initialising (a `try:` that catches the
failure needs one, too), that is, while that module sits on the
stack of running imports. Each frame of that stack was imported by the frame below it, so
such a module reaches the statement's module along the static import graph (every import
a module's top level runs, with the packages it runs first, the imports of `try:` handlers
and of functions called at import time among them). A module none of whose
statements can meet such a module, and which reaches no module that can, imports without
a failure from any state: its run is skipped (a long import cycle of submodule imports
otherwise costs one walk of the whole cycle per module of it). Keep this in step with
`_Simulator`: every statement it can report must count here as able to raise.

One kind of report needs no module initialising: a package a caught failure removed from
sys.modules (its loaded submodule staying) read through later. But that failure was
reported in a module the removed one reaches, so each statement reading it (its walk's
modules among the imports, or it counts as able to raise) reaches a module that can raise.
A star import of a module whose `__all__` the simulator reads raises while that module, or
a submodule it lists, initialises: both count as imported (and initialising) there.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator, Mapping

from scaffold.check.discover import SourceFile
from scaffold.check.imports.listed import listed_all
from scaffold.check.model import Access, ImportFact, ModuleFacts, RunImport
from scaffold.check.project import Project, Target

__all__ = ["Failable", "failable", "loops", "reaching"]

# Modules executed per file of the project before the pass pays: it costs about as much as
# executing one or two modules per file, and most trees' simulations stay below this.
# Replayed imports (imports.memo) do not count: they cost a fraction of an execution, and
# a 10,000-file environment replays ~37 modules a file (the pass, ~0.4 s in each process
# of a split simulation, skipped 200 of its 419,000).
_BUDGET = 8


class Failable:
    """Which module runs a simulation may skip, decided once its runs have grown costly."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.keys: frozenset[str] | None = None

    def skips(self, key: str, executed: int) -> bool:
        """Whether importing module `key` cannot fail, once `executed` modules were (not
        replayed)."""
        if self.keys is None:
            if executed <= _BUDGET * len(self.project.files):
                return False
            self.keys = failable(self.project)
        return key not in self.keys


def failable(project: Project) -> frozenset[str]:
    """The keys of the modules whose simulated import may run a statement that raises."""
    found = _shapes(project)
    graph = {key: shape.edges for key, shape in found.items()}
    component = _components(graph)
    raising = {key for key, shape in found.items() if shape.can_raise(component)}
    return frozenset(reaching(graph, raising))


def loops(project: Project) -> tuple[dict[str, set[str]], frozenset[str]]:
    """The graph of what each module's top level imports or reads (`_Shape.reads`), and the
    modules of its loops that may report: those of a strongly connected component in which
    a statement may meet a module of the same component still initialising. Every report
    that needs a module initialising is made in such a loop: that module sits on the stack
    below the statement, so it reaches the statement's module by imports, and the statement
    reaches it by an import or a read (imports.pruning). The one kind that needs none, a
    read through a package a caught failure removed, follows a failure that removed it,
    which `Simulator.loud` counts (imports.pruning.Entries takes it from there)."""
    found = _shapes(project)
    graph = {key: shape.edges | shape.reads for key, shape in found.items()}
    component = _components(graph)
    reporting = {
        component[key]
        for key, shape in found.items()
        if any(component.get(other) == component[key] for other in shape.loading | shape.reads)
    }
    return graph, frozenset(key for key, number in component.items() if number in reporting)


def _shapes(project: Project) -> dict[str, _Shape]:
    """Each module's shape (what its top level imports, what a failure of it would name),
    by file key; files without facts, or that do not parse, run nothing and have none."""
    found: dict[str, _Shape] = {}
    finder = _Finder(project)
    get = project.facts.get
    for key, source in project.files.items():
        facts = get(key)
        if facts is None or facts.error is not None:
            continue
        found[key] = _shape(finder, source, facts)
    return found


class _Finder:
    """`Project.find` remembered over one pass (most files import the same modules), and the
    files importing a module runs first, its packages' and its own."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.found: dict[tuple[str, str], Target | None] = {}
        self.runs: dict[tuple[str, str], tuple[str, ...]] = {}
        self.subs: dict[tuple[str, str, str], Target | None] = {}

    def __call__(self, name: str, scope: str) -> Target | None:
        try:
            return self.found[name, scope]
        except KeyError:
            found = self.found[name, scope] = self.project.find(name, scope)
            return found

    def submodule(self, package: Target, name: str, scope: str) -> Target | None:
        try:
            return self.subs[package.name, name, scope]
        except KeyError:
            found = self.subs[package.name, name, scope] = self.project.submodule(
                package, name, scope
            )
            return found

    def files_run(self, module: str, scope: str) -> tuple[str, ...]:
        try:
            return self.runs[module, scope]
        except KeyError:
            pass
        parts = module.split(".")
        keys = tuple(
            key
            for end in range(1, len(parts) + 1)
            for key in _file_key(self(".".join(parts[:end]), scope))
        )
        self.runs[module, scope] = keys
        return keys


class _Shape:
    """What a module's top level imports, and the modules a failure of it would name."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.edges: set[str] = set()  # modules its imports may run
        # Modules that raise here only while initialising: each one this module imports.
        self.loading: set[str] = set()
        self.always = False  # a statement that may raise whatever the import graph says
        # The modules such a statement may find initialising (its read's walk, the star
        # import's module): edges of `loops`' graph, which holds every report in a loop.
        self.reads: set[str] = set()

    def can_raise(self, component: Mapping[str, int]) -> bool:
        """Whether one of its statements may meet its module still initialising: that module
        imports this one (directly or not), and this one imports it, so both sit in one
        strongly connected component."""
        if self.always:
            return True
        mine = component[self.key]
        return any(component.get(key) == mine for key in self.loading)


def _shape(finder: _Finder, source: SourceFile, facts: ModuleFacts) -> _Shape:
    project = finder.project
    shape = _Shape(source.key)
    aliases: dict[str, set[str]] = {}  # local name -> modules an import may alias it to
    accesses: list[Access] = []
    for event in facts.events:
        if type(event) is RunImport:  # events are final classes: no subclass to miss
            _add_import(finder, source, facts.imports[event.index], shape, aliases)
        elif type(event) is Access:
            accesses.append(event)
    starred = False
    for access in accesses:
        if access.conditional:
            continue  # the simulator does not follow it
        if not access.attrs:
            starred = True  # a bare name: NameError after a star import of a loading module
            continue
        for name in aliases.get(access.name, ()):
            _add_access(finder, source.scope, finder(name, source.scope), access, shape)
    if starred:
        _add_stars(project, source, facts, shape)
    return shape


def _add_import(
    finder: _Finder,
    source: SourceFile,
    imp: ImportFact,
    shape: _Shape,
    aliases: dict[str, set[str]],
) -> None:
    project = finder.project
    module = project.absolute(source, imp)
    if module is None or module == "__future__":
        return
    scope = source.scope
    # Importing `a.b.c` runs `a` and `a.b` first.
    shape.edges.update(finder.files_run(module, scope))
    if not imp.is_from:
        if imp.binds:
            alias = imp.names[0]
            local = alias.asname or module.partition(".")[0]
            aliases.setdefault(local, set()).add(module if alias.asname else local)
        return
    package = finder(module, scope)
    if package is None:
        return
    for alias in imp.names:
        if alias.name == "*":
            _add_listed(finder, package, scope, shape)
            continue
        sub = project.submodule(package, alias.name, scope)
        if sub is not None:
            shape.edges.update(_file_key(sub))
            if imp.binds:
                aliases.setdefault(alias.asname or alias.name, set()).add(sub.name)
        elif package.file is not None:
            # A name bound later in the package. Conditional or in a `try:`, it still
            # raises: the simulator follows the branch that runs and unwinds to a handler.
            shape.loading.add(package.file.key)


def _add_listed(finder: _Finder, package: Target, scope: str, shape: _Shape) -> None:
    # A star import of a module whose `__all__` the simulator reads (imports.listed) raises
    # while that module initialises, and, of a package, first imports the submodules listed.
    facts = finder.project.facts.get(package.file.key) if package.file is not None else None
    listed = listed_all(facts) if facts is not None else None
    if listed is None or package.file is None:
        return
    shape.loading.add(package.file.key)
    for name in listed:
        sub = tuple(_file_key(finder.submodule(package, name, scope)))
        shape.edges.update(sub)
        shape.loading.update(sub)  # read while it initialises: not bound on the package yet


def _add_stars(project: Project, source: SourceFile, facts: ModuleFacts, shape: _Shape) -> None:
    # The simulator looks at every star import of the module (those of branches that do not
    # run too), so one it does not run may still be loading: then whether it reaches this
    # module is not known.
    for imp in facts.imports:
        if not (imp.is_star and imp.binds):
            continue
        module = project.absolute(source, imp)
        target = project.find(module, source.scope) if module else None
        if target is None or target.file is None:
            continue  # not in the project: the simulator reports nothing for it
        if target.file.key in shape.edges:
            shape.loading.add(target.file.key)  # imported here: raises only within a cycle
        else:
            shape.always = True
            shape.reads.add(target.file.key)


def _add_access(
    finder: _Finder, scope: str, target: Target | None, access: Access, shape: _Shape
) -> None:
    # `name.a.b` walks submodules while each attribute is bound; any module of the walk
    # (and the submodule named by its last step) may be the one still initialising.
    walked: list[str] = []
    for attr in access.attrs:
        if target is None or target.file is None:
            break
        sub = finder.submodule(target, attr, scope)
        walked += (target.file.key, *_file_key(sub))
        target = sub
    if all(key in shape.edges for key in walked):
        shape.loading.update(walked)  # each imported here: raises only within a cycle
    else:
        # One not imported here: whether it reaches this module is not known.
        shape.always = True
        shape.reads.update(walked)


def _file_key(target: Target | None) -> Iterator[str]:
    if target is not None and target.file is not None:
        yield target.file.key


def _components(graph: Mapping[str, set[str]]) -> dict[str, int]:
    """Each node's strongly connected component (Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    component: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    for root, edges in graph.items():
        if root in index:
            continue
        if not edges:  # most modules of a large tree import no first-party module
            index[root] = low[root] = component[root] = len(index)
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(edges))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in graph:
                    continue  # no facts: runs nothing
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(graph[successor])))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component[member] = index[node]
                        if member == node:
                            break
    return component


def reaching(
    graph: Mapping[str, set[str]], targets: Iterable[str], avoid: Container[str] = frozenset()
) -> set[str]:
    """Every node with a path to one of `targets` (each target included) through no node of
    `avoid` (a target in it still counts)."""
    callers: dict[str, list[str]] = {}
    for node, successors in graph.items():
        for successor in successors:
            callers.setdefault(successor, []).append(node)
    found = set(targets)
    todo = list(found)
    while todo:
        for caller in callers.get(todo.pop(), ()):
            if caller not in found and caller not in avoid:
                found.add(caller)
                todo.append(caller)
    return found
