"""The renderings of `scaffold graph`: an ImportGraph as Mermaid, Graphviz dot or JSON.

They take an ImportGraph, not a CheckReport, so they have their own registry,
`GRAPH_FORMATS`, beside the report formats' `FORMATS`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from json.encoder import encode_basestring_ascii as _string  # what json.dumps quotes with
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scaffold.check.imports.diagram import ImportGraph

__all__ = [
    "CYCLIC_NODE",
    "GRAPH_FORMATS",
    "LEGEND",
    "clusters",
    "edge_style",
    "graph_schema",
    "render_dot",
    "render_graph_json",
    "render_mermaid",
]


# What each drawn style means, in the order the legends list them.
LEGEND = {
    "cycle": "import in a cycle (runs at import time)",
    "break": "import to move into a function or under TYPE_CHECKING: breaks the cycles",
    "lazy": "import in a function: runs when called (--all-imports)",
    "type-only": "import under TYPE_CHECKING: never runs (--all-imports)",
    "contract": "import on a chain that breaks a contract",
}
# A red box: what a node in a cycle means.
CYCLIC_NODE = "module in an import cycle (a package: a cycle among its modules)"


def edge_style(graph: ImportGraph, source: str, target: str, breakers: set[tuple[str, str]]) -> str:
    """The one style an edge is drawn in: a LEGEND key, or "" for a plain import."""
    if (source, target) in graph.contracts:
        return "contract"
    if (source, target) in breakers:
        return "break"
    if graph.is_cycle_edge(source, target):
        return "cycle"
    return graph.lazy.get((source, target), "")


def clusters(graph: ImportGraph) -> dict[str, tuple[str, ...]]:
    """The packages drawn as boxes, each with every node inside it: those holding two or more
    shown nodes (the package's own module counts), short of holding them all."""
    inside: dict[str, list[str]] = {}
    for node in graph.nodes:
        parts = node.split(".")
        for end in range(1, len(parts) + 1):
            inside.setdefault(".".join(parts[:end]), []).append(node)
    return {
        package: tuple(members)
        for package, members in sorted(inside.items())
        if 1 < len(members) < len(graph.nodes)
    }


def _home(name: str, boxes: Mapping[str, object]) -> str:
    """The innermost cluster holding a node or a cluster (itself left out); "" for none."""
    parts = name.split(".")
    for end in range(len(parts) - 1, 0, -1):
        if ".".join(parts[:end]) in boxes:
            return ".".join(parts[:end])
    return ""


def _nested(graph: ImportGraph) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Each cluster's (or the top's, "") nodes and clusters directly inside it."""
    boxes = clusters(graph)
    nodes: dict[str, list[str]] = {}
    children: dict[str, list[str]] = {}
    for package in boxes:
        children.setdefault(_home(package, boxes), []).append(package)
    for node in graph.nodes:
        home = node if node in boxes else _home(node, boxes)
        nodes.setdefault(home, []).append(node)
    return nodes, children


_MERMAID_ARROW = {"cycle": "==>", "break": "-.->|break|", "lazy": "-.->|lazy|"}
_MERMAID_ARROW |= {"type-only": "-.->|type|", "contract": "-->", "": "-->"}
_MERMAID_LINK = {
    "cycle": "stroke:#c00,stroke-width:2px",
    "break": "stroke:#c00,stroke-width:2px",
    "lazy": "stroke:#999",
    "type-only": "stroke:#999",
    # Red is kept for cycles: a chain that breaks a contract is purple.
    "contract": "stroke:#80c,stroke-width:2px",
}


def render_mermaid(graph: ImportGraph) -> str:
    """A Mermaid flowchart that GitHub renders as is: packages as boxes, cycles thick and
    red, the imports that break them dotted, with a legend of the styles drawn."""
    ids = {name: f"m{index}" for index, name in enumerate(graph.nodes)}
    lines = ["flowchart LR"]
    if not graph.nodes:
        lines.append(f"    %% {graph.note or 'no first-party modules to show'}")
    nodes, children = _nested(graph)
    boxes = {package: f"p{index}" for index, package in enumerate(clusters(graph))}

    def box(package: str, indent: str) -> None:
        for name in nodes.get(package, ()):
            lines.append(f'{indent}{ids[name]}["{name}"]')
        for inner in children.get(package, ()):
            lines.append(f'{indent}subgraph {boxes[inner]} ["{inner}"]')
            box(inner, indent + "    ")
            lines.append(f"{indent}end")

    box("", "    ")
    styled: dict[str, list[str]] = {}
    breakers = set(graph.breakers)
    for index, (source, target) in enumerate(graph.edges):
        style = edge_style(graph, source, target, breakers)
        lines.append(f"    {ids[source]} {_MERMAID_ARROW[style]} {ids[target]}")
        styled.setdefault(style, []).append(str(index))
    drawn = [style for style in LEGEND if style in styled]
    cyclic = graph.cyclic_nodes
    if drawn or cyclic:
        lines.append('    subgraph legend ["legend"]')
        if cyclic:
            lines.append(f'        lc["{CYCLIC_NODE}"]')
        for number, style in enumerate(drawn):
            lines.append(
                f'        l{number}a[" "] {_MERMAID_ARROW[style]} l{number}b["{LEGEND[style]}"]'
            )
            styled[style].append(str(len(graph.edges) + number))
        lines.append("    end")
    if cyclic:
        lines.append("    classDef cycle fill:#fdd,stroke:#c00,stroke-width:2px")
        members = [ids[n] for n in graph.nodes if n in cyclic]
        lines.append(f"    class {','.join([*members, 'lc'])} cycle")
    for style in drawn:
        lines.append(f"    linkStyle {','.join(styled[style])} {_MERMAID_LINK[style]}")
    return "\n".join(lines) + "\n"


def _dot_id(name: str) -> str:
    return json.dumps(name)


_DOT_LOOK = {
    "cycle": "color=red",
    "break": "color=red, style=dashed",
    "lazy": "color=gray, style=dotted",
    "type-only": "color=gray, style=dotted",
    "contract": "color=purple, penwidth=2",
}
_DOT_MARK = {"break": "break", "lazy": "lazy", "type-only": "type"}


def render_dot(graph: ImportGraph) -> str:
    """A Graphviz digraph: packages as clusters, modules and imports in cycles red, the
    imports that break them dashed, with a legend of the styles drawn."""
    cyclic = graph.cyclic_nodes
    lines = ["digraph imports {", "    rankdir=LR;", "    node [shape=box];"]
    if not graph.nodes:
        lines.append(f"    // {graph.note or 'no first-party modules to show'}")
    nodes, children = _nested(graph)

    def box(package: str, indent: str) -> None:
        for name in nodes.get(package, ()):
            style = " [color=red, fontcolor=red]" if name in cyclic else ""
            lines.append(f"{indent}{_dot_id(name)}{style};")
        for inner in children.get(package, ()):
            lines.append(f"{indent}subgraph {_dot_id('cluster_' + inner)} {{")
            lines.append(f"{indent}    label={_dot_id(inner)};")
            box(inner, indent + "    ")
            lines.append(f"{indent}}}")

    box("", "    ")
    breakers = set(graph.breakers)
    drawn: set[str] = set()
    for source, target in graph.edges:
        style = edge_style(graph, source, target, breakers)
        drawn.add(style)
        attributes = [_DOT_LOOK[style]] if style else []
        if style in _DOT_MARK:
            attributes.append(f"label={_dot_id(_DOT_MARK[style])}")
        if style == "contract":
            names = ", ".join(graph.contracts[(source, target)])
            attributes.append(f"tooltip={_dot_id('breaks: ' + names)}")
        if style == "break":
            attributes.append(
                f"tooltip={_dot_id('; '.join(graph.advice.get((source, target), ())))}"
            )
        shown = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f"    {_dot_id(source)} -> {_dot_id(target)}{shown};")
    legend = [style for style in LEGEND if style in drawn]
    if legend or cyclic:
        lines += ["    subgraph cluster_legend {", '        label="legend";']
        if cyclic:
            label = _dot_id(CYCLIC_NODE)
            lines.append(f"        legend_cycle [color=red, fontcolor=red, label={label}];")
        lines.append("        node [shape=point];")
        for number, style in enumerate(legend):
            text = f"{_DOT_MARK[style]}: {LEGEND[style]}" if style in _DOT_MARK else LEGEND[style]
            look = f"{_DOT_LOOK[style]}, label={_dot_id(text)}"
            lines.append(f"        legend{number}a -> legend{number}b [{look}];")
        lines.append("    }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def graph_schema() -> str:
    """The JSON Schema of `scaffold graph --format json` (`scaffold schema graph`)."""
    from importlib import resources

    return resources.files(__package__).joinpath("graph.schema.json").read_text("utf-8")


def render_graph_json(graph: ImportGraph) -> str:
    """Nodes (with their files and findings), edges (with their imports and when those
    run), package clusters and cycles as one JSON document (version 1; `scaffold schema
    graph`)."""
    cyclic = graph.cyclic_nodes
    breakers = set(graph.breakers)
    boxes = clusters(graph)
    document = {
        "version": 1,
        "nodes": [
            {
                "id": name,
                "package": name.rpartition(".")[0],
                "files": list(graph.files.get(name, ())),
                "cycle": name in cyclic,
                "findings": sum(graph.findings.get(name, {}).values()),
                "codes": graph.findings.get(name, {}),
            }
            for name in graph.nodes
        ],
        "edges": [_Encoded(_edge_json(graph, arc, breakers)) for arc in graph.edges],
        "clusters": [
            {"id": package, "parent": _home(package, boxes) or None, "nodes": list(members)}
            for package, members in boxes.items()
        ],
        "cycles": [list(group) for group in graph.cycles],
        # Imports to move into functions or under TYPE_CHECKING to break every cycle.
        "breakers": [list(arc) for arc in graph.breakers],
        "note": graph.note,
    }
    return _one_item_a_line(document)


_LATER = frozenset({"function", "main"})  # `Where` values of imports that run after import
_BOOLEAN = {True: "true", False: "false"}


class _Encoded(str):
    """A list item already written as JSON."""


def _edge_json(graph: ImportGraph, arc: tuple[str, str], breakers: set[tuple[str, str]]) -> str:
    """One edge as `json.dumps` writes the object below, formatted directly: sympy has
    13,000 edges, and building and encoding a dict of each cost more than the whole graph.

    {"source", "target", "cycle", "break", "lazy", "type_only", "contracts": [names],
    "imports": [{"path", "line", "lazy", "type_only"}], "advice": [texts]}
    """
    source, target = arc
    kind = graph.lazy.get(arc)
    imports = ", ".join(
        f'{{"path": {_string(path)}, "line": {line}, "lazy": {_BOOLEAN[where in _LATER]},'
        f' "type_only": {_BOOLEAN[where == "type-checking"]}}}'
        for path, line, where in graph.imports.get(arc, ())
    )
    contracts = ", ".join(_string(name) for name in graph.contracts.get(arc, ()))
    advice = ", ".join(_string(text) for text in graph.advice.get(arc, ()))
    return (
        f'{{"source": {_string(source)}, "target": {_string(target)},'
        f' "cycle": {_BOOLEAN[graph.is_cycle_edge(source, target)]},'
        f' "break": {_BOOLEAN[arc in breakers]}, "lazy": {_BOOLEAN[kind == "lazy"]},'
        f' "type_only": {_BOOLEAN[kind == "type-only"]}, "contracts": [{contracts}],'
        f' "imports": [{imports}], "advice": [{advice}]}}'
    )


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
            items = [
                f"    {item if isinstance(item, _Encoded) else json.dumps(item)}" for item in value
            ]
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
