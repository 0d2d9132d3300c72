"""`scaffold graph`: collect the first-party import graph, then render it in the chosen format."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold.check.discover import Tree, discover
from scaffold.check.incremental.location import chosen_cache_dir
from scaffold.check.incremental.rendered import Rendered, graph_key
from scaffold.check.incremental.run import check_with_edges, graph_report_key
from scaffold.check.incremental.store import FactsCache
from scaffold.check.memory import without_cyclic_gc
from scaffold.check.printout import write_text
from scaffold.errors import UsageError

if TYPE_CHECKING:
    from scaffold.check.imports.diagram import ImportGraph
    from scaffold.check.imports.graph import Edge
    from scaffold.check.project import Project

# A warm graph prints the drawing kept beside the cache: the graph's builders and renderers
# (diagram, contracts, output.graph; ~0.02 s CPU to import) are imported on a miss only.

__all__ = [
    "GRAPH_FORMAT_NAMES",
    "MERMAID_EDGES",
    "Checked",
    "GraphView",
    "collect_graph",
    "print_graph",
    "render_graph",
]

# The names of output.graph.GRAPH_FORMATS (tests/test_cli_options.py keeps them equal).
GRAPH_FORMAT_NAMES = ("mermaid", "dot", "json")

MERMAID_EDGES = 500  # what GitHub's and mermaid's renderers accept by default
_PART = r"(?:[A-Za-z_][A-Za-z0-9_]*|\*|\*\*)"
MODULE_EXPRESSION = re.compile(rf"^{_PART}(?:\.{_PART})*$")


@dataclass(frozen=True)
class GraphView:
    """Which part of the graph to show: around one module, without some, some collapsed."""

    focus: str | None = None
    upstream: bool = False
    downstream: bool = False
    radius: int | None = None
    exclude: tuple[str, ...] = ()
    collapse: tuple[str, ...] = ()


@dataclass(frozen=True)
class Checked:
    """What one `scaffold check` of the path gives its graph: the project, each file's
    module-level import edges, and each file's findings by code."""

    tree: Tree
    project: Project
    edges: Mapping[str, Sequence[Edge]]
    findings: Mapping[str, Mapping[str, int]]

    @classmethod
    def of(cls, path: Path, tree: Tree | None = None, cache: FactsCache | None = None) -> Checked:
        """Check `path` through the cache, as `scaffold check PATH` would (`tree` and `cache`:
        the discovered `path` and its opened cache, when the caller has them)."""
        with without_cyclic_gc():  # facts are decoded while the graph is built
            checked, edges = check_with_edges(path, tree, cache)
        findings: dict[str, dict[str, int]] = {}
        for diagnostic in checked.diagnostics:
            codes = findings.setdefault(diagnostic.path, {})
            codes[diagnostic.code] = codes.get(diagnostic.code, 0) + 1
        return cls(checked.tree, checked.project, edges, findings)

    def graph(
        self, depth: int | None = None, view: GraphView = GraphView(), all_imports: bool = False
    ) -> ImportGraph:
        """The graph at `depth`, as `view` shows it."""
        from scaffold.check.imports.diagram import graph_of

        with without_cyclic_gc():
            graph = graph_of(
                self.project,
                depth,
                collapse=view.collapse,
                exclude=view.exclude,
                edges=self.edges,
                all_imports=all_imports,
                findings=self.findings,
            )
        return _around(graph, view, self._drawn_inside(depth, view))

    def _drawn_inside(self, depth: int | None, view: GraphView) -> bool:
        """Whether --focus names a module of the tree that --depth or --collapse draws inside
        a package's node (and --exclude leaves in)."""
        focus = view.focus
        if focus is None or (depth is None and not view.collapse):
            return False
        from scaffold.check.contracts import module_pattern

        parts = focus.split(".")
        names = [".".join(parts[:end]) for end in range(1, len(parts) + 1)]
        excluded = [module_pattern(p) for p in view.exclude]
        if any(pattern.match(name) for pattern in excluded for name in names):
            return False
        return any(s.module == focus and not s.scope for s in self.project.files.values())

    def contracts(self, depth: int | None = None, view: GraphView = GraphView()) -> ImportGraph:
        """The chains that break a contract, at `depth`, as `view` shows them; a node or an
        import in a cycle of the whole graph at that granularity is marked as such."""
        from scaffold.check.imports.diagram import contracts_graph

        graph = contracts_graph(
            self.project,
            self.tree.configs,
            self.tree.base,
            self.edges,
            depth=depth,
            collapse=view.collapse,
            exclude=view.exclude,
            findings=self.findings,
        )
        if graph.nodes:
            whole = self.graph(depth, GraphView(exclude=view.exclude, collapse=view.collapse))
            graph = whole.cycles_of(graph)
        return _around(graph, view, self._drawn_inside(depth, view))


def _around(graph: ImportGraph, view: GraphView, collapsed: bool = False) -> ImportGraph:
    """`graph` around `view.focus` (all of it without one); `collapsed`: the focus is a
    module drawn inside a node of a package (--depth, --collapse)."""
    if view.focus is None:
        return graph
    if view.focus not in graph.nodes:
        holding = [n for n in graph.nodes if view.focus.startswith(n + ".")]
        if holding and collapsed:
            raise UsageError(
                f"--focus {view.focus!r} is drawn as {holding[-1]!r} at this --depth or"
                f" --collapse; focus on {holding[-1]!r}"
            )
        shown = ", ".join(graph.nodes[:3]) or "none"
        raise UsageError(
            f"--focus {view.focus!r} is not a node of the graph (after --depth, --collapse"
            f" and --exclude); nodes are dotted module names such as: {shown}"
        )
    return graph.around(
        view.focus, upstream=view.upstream, downstream=view.downstream, radius=view.radius
    )


# The options that only say how far around --focus to look.
_AROUND: tuple[tuple[str, Callable[[GraphView], bool]], ...] = (
    ("--upstream", lambda view: view.upstream),
    ("--downstream", lambda view: view.downstream),
    ("--radius", lambda view: view.radius is not None),
)


def _validated(path: str | Path, depth: int | None, view: GraphView) -> Path:
    """The path to graph, after checking the options; bad ones are a UsageError."""
    if depth is not None and depth < 1:
        raise UsageError(f"--depth must be 1 or more, not {depth}")
    if view.radius is not None and view.radius < 0:
        raise UsageError(f"--radius must be 0 or more, not {view.radius}")
    around = [name for name, given in _AROUND if given(view)]
    if around and view.focus is None:
        raise UsageError(f"{around[0]} needs --focus MODULE (the module to look around)")
    for option, patterns in (("--exclude", view.exclude), ("--collapse", view.collapse)):
        for pattern in patterns:
            if not MODULE_EXPRESSION.match(pattern):
                raise UsageError(
                    f"{option} {pattern!r} is not a module name or pattern"
                    " (dotted names; `*` for one name part, `**` for any number)"
                )
    if str(path) == "":  # abspath would make it the current folder, as `check ""` refuses
        raise UsageError("PATH is empty; name a file or folder to graph (none: the current one)")
    target = Path(os.path.abspath(path))
    if not target.exists():
        raise UsageError(f"path does not exist: {path}")
    return target


def collect_graph(
    path: str | Path,
    depth: int | None = None,
    view: GraphView = GraphView(),
    *,
    all_imports: bool = False,
) -> ImportGraph:
    """Check PATH like `scaffold check` (through the cache), and build its graph of
    importable modules (see `graph_of`) from the check's import edges and findings."""
    return Checked.of(_validated(path, depth, view)).graph(depth, view, all_imports)


def render_graph(
    path: str | Path,
    output_format: str,
    *,
    cycles_only: bool = False,
    depth: int | None = None,
    check_contracts: bool = False,
    view: GraphView = GraphView(),
    notes: list[str] | None = None,
    all_imports: bool = False,
    use_cache: bool = True,
    cache_dir: str | None = None,
) -> str:
    """The `scaffold graph` command body: validate, collect, filter, render; what the user
    should know besides the output (a Mermaid graph too big to draw) goes to `notes`.

    `use_cache` and `cache_dir` mean what `scaffold check`'s `--no-cache` and `--cache-dir`
    mean: without the cache nothing is read or written (not the kept drawing either)."""
    if output_format == "svg":
        _svg_path()
    elif output_format.lower() not in GRAPH_FORMAT_NAMES:
        choices = ", ".join(GRAPH_FORMAT_NAMES)
        raise UsageError(f"unknown --format {output_format!r} (choose one of: {choices})")
    output_format = output_format.lower()
    _refuse_with_contracts(check_contracts, cycles_only, all_imports)
    target = _validated(path, depth, view)
    folder = chosen_cache_dir(cache_dir)
    tree = discover(target)
    cache = FactsCache.open(tree, folder) if use_cache else FactsCache(None)
    # The svg is Graphviz's drawing, which may change without the check's inputs changing.
    drawn_path = target.relative_to(tree.base) if target.is_relative_to(tree.base) else target
    options = (output_format, cycles_only, depth, check_contracts, view, all_imports, drawn_path)
    kept = Rendered(None if output_format == "svg" else cache.path)
    stored = kept.load(graph_key(graph_report_key(tree, cache, target), options))
    told: list[str] = []
    if stored is not None:  # nothing changed since this graph was drawn
        cache.save()  # the refreshed stats
        text, told = stored[0], list(stored[1])
    else:
        checked = Checked.of(target, tree, cache)

        def drawn(level: int | None) -> ImportGraph:
            if check_contracts:
                return checked.contracts(level, view)
            graph = checked.graph(level, view, all_imports)
            return _only_cycles(graph, view) if cycles_only else graph

        graph = drawn(depth)
        if output_format == "mermaid" and len(graph.edges) > MERMAID_EDGES:
            told.append(_too_big_for_mermaid(graph, drawn, depth))
        with without_cyclic_gc():  # a JSON document of every edge is many small objects
            text = _renderer(output_format)(graph)
        kept.store(graph_key(graph_report_key(tree, cache, target), options), text, told)
    if notes is not None:
        notes.extend(told)
    return text


def print_graph(
    path: str,
    output_format: str,
    *,
    cycles: bool = False,
    depth: int | None = None,
    focus: str | None = None,
    upstream: bool = False,
    downstream: bool = False,
    radius: int | None = None,
    exclude: Sequence[str] = (),
    collapse: Sequence[str] = (),
    check_contracts: bool = False,
    all_imports: bool = False,
    no_cache: bool = False,
    cache_dir: str | None = None,
) -> int:
    """`scaffold graph` with its options as given on the command line (by Typer or by
    `cli.graph_argv`): the drawing on stdout, what the user should know on stderr."""
    view = GraphView(focus, upstream, downstream, radius, tuple(exclude), tuple(collapse))
    notes: list[str] = []
    text = render_graph(
        path,
        output_format,
        cycles_only=cycles,
        depth=depth,
        check_contracts=check_contracts,
        view=view,
        notes=notes,
        all_imports=all_imports,
        use_cache=not no_cache,
        cache_dir=cache_dir,
    )
    write_text(sys.stdout, text)
    sys.stdout.flush()
    for note in notes:
        write_text(sys.stderr, f"{note}\n")
    return 0


def _only_cycles(graph: ImportGraph, view: GraphView) -> ImportGraph:
    """The cycles of `graph`; when there are none, the note says whether --focus or
    --exclude left them out (the tree may still have some)."""
    cyclic = graph.only_cycles()
    given = (("--focus", view.focus is not None), ("--exclude", bool(view.exclude)))
    narrowed = [name for name, present in given if present]
    if cyclic.nodes or not graph.nodes or not narrowed:
        return cyclic
    return dataclasses.replace(cyclic, note=f"{cyclic.note} shown after {' and '.join(narrowed)}")


def _refuse_with_contracts(check_contracts: bool, cycles_only: bool, all_imports: bool) -> None:
    """--check-contracts draws what the contracts count: not cycles, not every import."""
    if check_contracts and cycles_only:
        raise UsageError(
            "--check-contracts draws the chains that break contracts, not import cycles;"
            " give one of --check-contracts and --cycles"
        )
    if check_contracts and all_imports:
        raise UsageError(
            "--check-contracts counts the imports each contract counts (its"
            " include-type-checking and include-function-imports keys); leave out --all-imports"
        )


def _svg_path() -> str:
    """Graphviz's `dot`, which --format svg needs on PATH."""
    dot = shutil.which("dot")
    if dot is None:
        raise UsageError(
            "--format svg needs Graphviz's `dot` on PATH; install Graphviz, or use"
            f" --format {', '.join(GRAPH_FORMAT_NAMES)}"
        )
    return dot


def _renderer(output_format: str) -> Callable[[ImportGraph], str]:
    """The function drawing a graph in `output_format` (a name already checked)."""
    from scaffold.check.output.graph import GRAPH_FORMATS, render_dot

    if output_format != "svg":
        return GRAPH_FORMATS[output_format]
    dot = _svg_path()

    def render(graph: ImportGraph) -> str:
        done = subprocess.run(
            [dot, "-Tsvg"], input=render_dot(graph), capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            problem = (done.stderr.strip().splitlines() or ["no message"])[0]
            raise UsageError(f"`dot -Tsvg` failed ({done.returncode}): {problem}")
        return done.stdout

    return render


def _too_big_for_mermaid(
    graph: ImportGraph, drawn: Callable[[int | None], ImportGraph], depth: int | None
) -> str:
    """GitHub and mermaid refuse more than 500 edges: say so, and which --depth fits the
    same drawing (the same view, --cycles, --all-imports or --check-contracts)."""
    fits = None
    for level in range(1, (depth or max(n.count(".") + 1 for n in graph.nodes)) + 1):
        try:
            edges = len(drawn(level).edges)
        except UsageError:  # --focus names a module deeper than this level
            continue
        if edges > MERMAID_EDGES:
            break
        fits = level
    advice = f"--depth {fits} fits" if fits else "no --depth fits; use --format dot or json"
    return (
        f"note: {len(graph.edges)} edges; GitHub and mermaid draw at most {MERMAID_EDGES}"
        f" ({advice})"
    )
