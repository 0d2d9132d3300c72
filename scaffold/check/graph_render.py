"""`scaffold graph`: collect the first-party import graph, then render it in the chosen format."""

from __future__ import annotations

import os
from pathlib import Path

from scaffold.check.imports.diagram import ImportGraph, graph_of
from scaffold.check.incremental.run import resolve_path
from scaffold.check.memory import without_cyclic_gc
from scaffold.check.output import format_named
from scaffold.check.output.graph import GRAPH_FORMATS
from scaffold.errors import UsageError

__all__ = ["collect_graph", "render_graph"]


def collect_graph(path: str | Path, depth: int | None = None) -> ImportGraph:
    """Discover PATH like `scaffold check`, read its facts through the cache, and build its
    graph of importable modules (see `graph_of`)."""
    if depth is not None and depth < 1:
        raise UsageError(f"--depth must be 1 or more, not {depth}")
    target = Path(os.path.abspath(path))
    if not target.exists():
        raise UsageError(f"path does not exist: {path}")
    with without_cyclic_gc():  # facts are decoded while the graph is built
        return graph_of(resolve_path(target).project, depth)


def render_graph(
    path: str | Path, output_format: str, *, cycles_only: bool = False, depth: int | None = None
) -> str:
    """The `scaffold graph` command body: validate, collect, filter, render."""
    render = format_named(GRAPH_FORMATS, output_format)
    graph = collect_graph(path, depth)
    if cycles_only:
        graph = graph.only_cycles()
    return render(graph)
