"""The renderings of `scaffold graph`: an ImportGraph as Mermaid, Graphviz dot or JSON.

They take an ImportGraph, not a CheckReport, so they have their own registry,
`GRAPH_FORMATS`, beside the report formats' `FORMATS`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scaffold.check.imports.diagram import ImportGraph

__all__ = ["GRAPH_FORMATS", "render_dot", "render_graph_json", "render_mermaid"]


def render_mermaid(graph: ImportGraph) -> str:
    """A Mermaid flowchart that GitHub renders as is; cycles drawn thick and red, the imports
    that break them dotted."""
    ids = {name: f"m{index}" for index, name in enumerate(graph.nodes)}
    cyclic = graph.cyclic_nodes
    lines = ["flowchart LR"]
    if not graph.nodes:
        lines.append(f"    %% {graph.note or 'no first-party modules to show'}")
    for name in graph.nodes:
        lines.append(f'    {ids[name]}["{name}"]')
    red: list[str] = []
    purple: list[str] = []
    breakers = set(graph.breakers)
    for index, (source, target) in enumerate(graph.edges):
        if (source, target) in graph.contracts:
            lines.append(f"    {ids[source]} --> {ids[target]}")
            purple.append(str(index))
        elif (source, target) in breakers:
            lines.append(f"    {ids[source]} -.->|break| {ids[target]}")
            red.append(str(index))
        elif graph.is_cycle_edge(source, target):
            lines.append(f"    {ids[source]} ==> {ids[target]}")
            red.append(str(index))
        else:
            lines.append(f"    {ids[source]} --> {ids[target]}")
    if cyclic:
        lines.append("    classDef cycle fill:#fdd,stroke:#c00,stroke-width:2px")
        members = ",".join(ids[n] for n in graph.nodes if n in cyclic)
        lines.append(f"    class {members} cycle")
    if red:
        lines.append(f"    linkStyle {','.join(red)} stroke:#c00,stroke-width:2px")
    if purple:  # red is kept for cycles: a chain that breaks a contract is purple
        lines.append(f"    linkStyle {','.join(purple)} stroke:#80c,stroke-width:2px")
    return "\n".join(lines) + "\n"


def _dot_id(name: str) -> str:
    return json.dumps(name)


def render_dot(graph: ImportGraph) -> str:
    """A Graphviz digraph; modules and imports in cycles are red, the imports that break them
    dashed."""
    cyclic = graph.cyclic_nodes
    lines = ["digraph imports {", "    rankdir=LR;", "    node [shape=box];"]
    if not graph.nodes:
        lines.append(f"    // {graph.note or 'no first-party modules to show'}")
    for name in graph.nodes:
        style = " [color=red, fontcolor=red]" if name in cyclic else ""
        lines.append(f"    {_dot_id(name)}{style};")
    breakers = set(graph.breakers)
    for source, target in graph.edges:
        style = " [color=red]" if graph.is_cycle_edge(source, target) else ""
        if (source, target) in breakers:
            style = ' [color=red, style=dashed, label="break"]'
        if (source, target) in graph.contracts:
            names = ", ".join(graph.contracts[(source, target)])
            style = f" [color=purple, penwidth=2, tooltip={_dot_id('breaks: ' + names)}]"
        lines.append(f"    {_dot_id(source)} -> {_dot_id(target)}{style};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_graph_json(graph: ImportGraph) -> str:
    """Nodes (with their files), edges and cycles as one JSON document (version 1)."""
    cyclic = graph.cyclic_nodes
    breakers = set(graph.breakers)
    document = {
        "version": 1,
        "nodes": [
            {
                "id": name,
                "package": name.rpartition(".")[0],
                "files": list(graph.files.get(name, ())),
                "cycle": name in cyclic,
            }
            for name in graph.nodes
        ],
        "edges": [
            {
                "source": s,
                "target": t,
                "cycle": graph.is_cycle_edge(s, t),
                "break": (s, t) in breakers,
                "contracts": list(graph.contracts.get((s, t), ())),
                # Module-level imports only: the graph leaves out those in functions and
                # under TYPE_CHECKING, which do not run when the module is imported.
                "imports": [
                    {"path": path, "line": line} for path, line in graph.imports.get((s, t), ())
                ],
            }
            for s, t in graph.edges
        ],
        "cycles": [list(group) for group in graph.cycles],
        # Imports to move into functions or under TYPE_CHECKING to break every cycle.
        "breakers": [list(arc) for arc in graph.breakers],
        "note": graph.note,
    }
    return _one_item_a_line(document)


def _one_item_a_line(document: Mapping[str, object]) -> str:
    """The document with each top-level key, and each item of a list, on a line of its own:
    as easy to diff as `indent=2`, and written by json's C encoder (`indent` turns it off,
    which made the JSON of sympy's 10,000 edges cost as much as building the graph)."""
    lines = ["{"]
    last = len(document) - 1
    for index, (key, value) in enumerate(document.items()):
        comma = "," if index < last else ""
        if isinstance(value, list) and value:
            lines.append(f"  {json.dumps(key)}: [")
            items = [f"    {json.dumps(item)}" for item in value]
            lines.append(",\n".join(items))
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


# The order is the order `--format`'s error message lists the choices in.
GRAPH_FORMATS: Mapping[str, Callable[[ImportGraph], str]] = {
    "mermaid": render_mermaid,
    "dot": render_dot,
    "json": render_graph_json,
}
