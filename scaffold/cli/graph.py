"""`scaffold graph`: the first-party import graph as Mermaid, Graphviz dot or JSON."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from scaffold.cli.options import format_option

__all__ = ["GraphFormat", "app"]

app = typer.Typer()


class GraphFormat(StrEnum):
    """The renderings of an import graph (the names of output.graph.GRAPH_FORMATS)."""

    # Mirrored, not imported: importing the checker costs `scaffold --help` ~0.1 s.
    # tests/test_cli_options.py keeps the two equal.
    MERMAID = "mermaid"
    DOT = "dot"
    JSON = "json"


@app.command("graph")
def graph(
    path: Annotated[str, typer.Argument(help="A project, folder or file (default: .).")] = ".",
    output_format: Annotated[GraphFormat, format_option(GraphFormat)] = GraphFormat.MERMAID,
    cycles: Annotated[
        bool, typer.Option("--cycles", help="Show only the modules in import cycles.")
    ] = False,
    depth: Annotated[
        int | None,
        typer.Option("--depth", help="Collapse modules to packages of N name parts.", min=1),
    ] = None,
) -> None:
    """Print the first-party import graph; modules in cycles are highlighted."""
    from scaffold.check.graph_render import render_graph

    typer.echo(render_graph(path, output_format.value, cycles_only=cycles, depth=depth), nl=False)
