"""`scaffold graph`: the first-party import graph as Mermaid, Graphviz dot or JSON."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from scaffold.cli.options import CacheDirOption, NoCacheOption, format_option
from scaffold.cli.render import examples

__all__ = ["GraphFormat", "app"]

app = typer.Typer()


class GraphFormat(StrEnum):
    """The renderings of an import graph (the names of output.graph.GRAPH_FORMATS)."""

    # Mirrored, not imported: importing the checker costs `scaffold --help` ~0.1 s.
    # tests/test_cli_options.py keeps the two equal.
    MERMAID = "mermaid"
    DOT = "dot"
    JSON = "json"
    SVG = "svg"  # the dot rendering drawn by Graphviz, when `dot` is on PATH


PathArgument = Annotated[
    str, typer.Argument(metavar="PATH", help="A project, folder or file (default: .).")
]
DepthOption = Annotated[
    int | None,
    typer.Option(
        "--depth", metavar="N", help="Collapse modules to packages of N name parts.", min=1
    ),
]
FocusOption = Annotated[
    str | None,
    typer.Option("--focus", metavar="MODULE", help="Show only MODULE and the modules around it."),
]
ExcludeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude", metavar="PATTERN", help="Leave out modules matching PATTERN (repeatable)."
    ),
]
CollapseOption = Annotated[
    list[str] | None,
    typer.Option(
        "--collapse", metavar="PATTERN", help="Draw packages matching PATTERN as one node."
    ),
]

CheckContracts = Annotated[
    bool,
    typer.Option("--check-contracts", help="Show only the import chains that break a contract."),
]
AllImports = Annotated[
    bool,
    typer.Option(
        "--all-imports",
        help="Also draw imports in functions (lazy) and under TYPE_CHECKING (type-only).",
    ),
]


@app.command(
    "graph",
    epilog=examples(
        "scaffold graph src --cycles",
        "scaffold graph . --depth 2",
        "scaffold graph src --format json --all-imports",
    ),
)
def graph(
    path: PathArgument = ".",
    output_format: Annotated[GraphFormat, format_option(GraphFormat)] = GraphFormat.MERMAID,
    cycles: Annotated[
        bool, typer.Option("--cycles", help="Show only the modules in import cycles.")
    ] = False,
    depth: DepthOption = None,
    focus: FocusOption = None,
    upstream: Annotated[
        bool, typer.Option("--upstream", help="With --focus: only what imports it.")
    ] = False,
    downstream: Annotated[
        bool, typer.Option("--downstream", help="With --focus: only what it imports.")
    ] = False,
    radius: Annotated[
        int | None,
        typer.Option("--radius", metavar="N", help="With --focus: at most N imports away.", min=0),
    ] = None,
    exclude: ExcludeOption = None,
    collapse: CollapseOption = None,
    check_contracts: CheckContracts = False,
    all_imports: AllImports = False,
    no_cache: NoCacheOption = False,
    cache_dir: CacheDirOption = None,
) -> None:
    """Print the first-party import graph; imports in cycles are red, with the ones to move
    to break them marked."""
    from scaffold.check.graph_render import print_graph

    print_graph(
        path,
        output_format.value,
        cycles=cycles,
        depth=depth,
        focus=focus,
        upstream=upstream,
        downstream=downstream,
        radius=radius,
        exclude=exclude or (),
        collapse=collapse or (),
        check_contracts=check_contracts,
        all_imports=all_imports,
        no_cache=no_cache,
        cache_dir=cache_dir,
    )
