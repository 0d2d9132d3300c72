"""`scaffold graph`: what the drawing and the JSON document say beyond the edges (finding
counts, lazy and type-only imports, package clusters, a legend), the published JSON Schema
every document follows, and the warm graph taking the check's stored import edges."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import scaffold.check.analysis as analysis
import scaffold.check.imports.graph as imports_graph
from scaffold.check import CheckOptions, run_check
from scaffold.check.graph_render import GraphView, collect_graph, render_graph
from scaffold.check.output.graph import CYCLIC_NODE, LEGEND, graph_schema
from scaffold.cli import main

from .check_support import FIXTURES

Build = Callable[[Mapping[str, str | bytes]], Path]
GRAPH = FIXTURES / "graph"
SCHEMA: dict[str, Any] = json.loads(graph_schema())


@pytest.fixture(autouse=True)
def _cache_outside_the_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A graph goes through the cache unless told not to, kept at the project root: for
    # the fixture, that is the repository. Tests write under tmp_path only.
    monkeypatch.setenv("SCAFFOLD_CACHE_DIR", str(tmp_path / "cache"))


CYCLE = {
    "pyproject.toml": '[project]\nname = "pkg"\nversion = "0"\n',
    "pkg/__init__.py": "",
    "pkg/a.py": "from pkg import b\n\n__all__ = ['b']\n",
    "pkg/b.py": "import pkg.a\n\n__all__: list[str] = []\n",
    "pkg/c.py": "def f() -> None:\n    from pkg import d\n\n\n__all__ = ['f']\n",
    "pkg/d.py": (
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from pkg import c\n\n"
        "__all__ = ['missing', 'gone']  # two findings\n"
    ),
}


def test_the_schema_is_a_valid_json_schema_and_scaffold_schema_graph_prints_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert main(["schema", "graph"]) == 0
    assert json.loads(capsys.readouterr().out) == SCHEMA


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--all-imports"],
        ["--depth", "1"],
        ["--cycles"],
        ["--collapse", "pkg.sub"],
        ["--focus", "pkg.a", "--radius", "1"],
        ["--check-contracts"],
    ],
)
def test_every_json_document_follows_the_schema(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["graph", str(GRAPH), "--format", "json", *args]) == 0
    jsonschema.validate(json.loads(capsys.readouterr().out), SCHEMA)


def test_an_empty_document_follows_the_schema(tmp_path: Path) -> None:
    document = json.loads(render_graph(tmp_path, "json"))
    jsonschema.validate(document, SCHEMA)
    assert document["note"] == "no first-party modules to show"


def test_nodes_count_the_findings_the_check_reports_in_their_files(tree: Build) -> None:
    root = tree(CYCLE)
    report = run_check(CheckOptions(paths=(root,)))
    by_path: dict[str, dict[str, int]] = {}
    for diagnostic in report.diagnostics:
        codes = by_path.setdefault(diagnostic.path, {})
        codes[diagnostic.code] = codes.get(diagnostic.code, 0) + 1
    document = json.loads(render_graph(root, "json"))
    nodes = {node["id"]: node for node in document["nodes"]}
    assert nodes["pkg.d"]["findings"] >= 2  # the two names __all__ lists but never defines
    for node in nodes.values():
        [path] = node["files"]
        assert node["codes"] == by_path.get(path, {})
        assert node["findings"] == sum(node["codes"].values())
    # Collapsed, a node counts the findings of all its files.
    [package] = json.loads(render_graph(root, "json", depth=1))["nodes"]
    assert package["findings"] == len(report.diagnostics)


def test_all_imports_marks_lazy_and_type_only_edges_outside_every_cycle(tree: Build) -> None:
    root = tree(CYCLE)
    plain = collect_graph(root)
    assert ("pkg.c", "pkg.d") not in plain.edges and ("pkg.d", "pkg.c") not in plain.edges
    graph = collect_graph(root, all_imports=True)
    assert graph.lazy == {("pkg.c", "pkg.d"): "lazy", ("pkg.d", "pkg.c"): "type-only"}
    # c and d import each other, but neither import runs at import time: no cycle.
    assert graph.cycles == plain.cycles == (("pkg.a", "pkg.b"),)
    document = json.loads(render_graph(root, "json", all_imports=True))
    edges = {(e["source"], e["target"]): e for e in document["edges"]}
    lazy, type_only = edges["pkg.c", "pkg.d"], edges["pkg.d", "pkg.c"]
    assert (lazy["lazy"], lazy["type_only"], lazy["cycle"]) == (True, False, False)
    assert (type_only["lazy"], type_only["type_only"], type_only["cycle"]) == (False, True, False)
    assert lazy["imports"] == [{"path": "pkg/c.py", "line": 2, "lazy": True, "type_only": False}]
    assert type_only["imports"] == [
        {"path": "pkg/d.py", "line": 4, "lazy": False, "type_only": True}
    ]
    assert not edges["pkg.a", "pkg.b"]["lazy"] and edges["pkg.a", "pkg.b"]["cycle"]


TRIANGLE = {
    "tri/__init__.py": "",
    "tri/a.py": "from tri import b\n\n\ndef f() -> None:\n    from tri import c\n",
    "tri/b.py": "from tri import c\n",
    "tri/c.py": "from tri import a\n",
}


@pytest.mark.parametrize("cycles_only", [False, True])
def test_a_lazy_import_between_modules_of_one_cycle_is_not_red(
    tree: Build, cycles_only: bool
) -> None:
    """a -> b -> c -> a at import time, and a imports c in a function: that import runs
    later, so it is drawn lazy (grey), not red, and --cycles leaves it out."""
    root = tree(TRIANGLE)
    asked = {"all_imports": True, "cycles_only": cycles_only}
    edges = {
        (e["source"], e["target"]): e
        for e in json.loads(render_graph(root, "json", **asked))["edges"]  # type: ignore[arg-type]
    }
    assert ("tri.a", "tri.c") in edges or cycles_only
    assert [arc for arc, e in edges.items() if e["cycle"]] == [
        ("tri.a", "tri.b"),
        ("tri.b", "tri.c"),
        ("tri.c", "tri.a"),
    ]
    if not cycles_only:
        assert edges["tri.a", "tri.c"]["lazy"]
    mermaid = render_graph(root, "mermaid", **asked)  # type: ignore[arg-type]
    assert ("-.->|lazy|" in mermaid) is not cycles_only
    dot = render_graph(root, "dot", **asked)  # type: ignore[arg-type]
    assert ('"tri.a" -> "tri.c" [color=gray, style=dotted' in dot) is not cycles_only


def test_an_edge_with_a_module_level_import_is_not_lazy(tree: Build) -> None:
    root = tree(
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "import pkg.b\n\n\ndef f() -> None:\n    from pkg import b\n",
            "pkg/b.py": "",
        }
    )
    graph = collect_graph(root, all_imports=True)
    assert graph.lazy == {}
    assert graph.imports["pkg.a", "pkg.b"] == (
        ("pkg/a.py", 1, "module"),
        ("pkg/a.py", 5, "function"),
    )


def test_clusters_are_the_packages_holding_two_or_more_nodes() -> None:
    document = json.loads(render_graph(GRAPH, "json"))
    assert document["clusters"] == [
        {"id": "pkg", "parent": None, "nodes": ["pkg", "pkg.a", "pkg.b", "pkg.sub", "pkg.sub.x"]},
        {"id": "pkg.sub", "parent": "pkg", "nodes": ["pkg.sub", "pkg.sub.x"]},
    ]
    # A package holding every node is no grouping: the graph of pkg.sub alone has none.
    assert json.loads(render_graph(GRAPH / "pkg" / "sub", "json"))["clusters"] == []


@pytest.mark.parametrize("output_format", ["dot", "mermaid"])
def test_the_legend_explains_each_style_drawn_and_no_other(tree: Build, output_format: str) -> None:
    root = tree(CYCLE)
    plain = render_graph(root, output_format)
    assert LEGEND["cycle"] in plain and LEGEND["break"] in plain and CYCLIC_NODE in plain
    assert LEGEND["lazy"] not in plain and LEGEND["type-only"] not in plain
    every = render_graph(root, output_format, all_imports=True)
    assert all(text in every for text in LEGEND.values() if text != LEGEND["contract"])
    acyclic = render_graph(root / "pkg" / "c.py", output_format)
    assert "legend" not in acyclic


@pytest.mark.parametrize("output_format", ["dot", "mermaid", "json"])
def test_a_view_around_a_module_outside_every_cycle_draws_no_cycle(
    tree: Build, output_format: str
) -> None:
    """After --focus the red box's legend and the JSON's cycles are of the nodes drawn: a
    view of pkg.c and pkg.d (the cycle is pkg.a <-> pkg.b) has neither; a view holding
    pkg.a alone keeps its whole group (pkg.a is still in that cycle)."""
    root = tree(CYCLE)
    view = GraphView(focus="pkg.c")
    apart = render_graph(root, output_format, all_imports=True, view=view)
    assert CYCLIC_NODE not in apart and "pkg.a" not in apart
    if output_format == "json":
        assert json.loads(apart)["cycles"] == []
        view = GraphView(focus="pkg.a", downstream=True, radius=0)
        alone = json.loads(render_graph(root, output_format, view=view))
        assert [n["id"] for n in alone["nodes"] if n["cycle"]] == ["pkg.a"]
        assert alone["cycles"] == [["pkg.a", "pkg.b"]]


def test_a_warm_graph_takes_the_import_edges_the_check_stored(
    tree: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(CYCLE)
    fresh = collect_graph(root)  # runs the check, which stores its edges
    run_check(CheckOptions(paths=(root,)))

    def no_deriving(*args: object, **kwargs: object) -> object:
        raise AssertionError("import edges derived again")

    monkeypatch.setattr(imports_graph, "file_edges", no_deriving)
    monkeypatch.setattr(analysis, "file_edges", no_deriving)
    assert collect_graph(root) == fresh
    assert json.loads(render_graph(root, "json"))["cycles"] == [["pkg.a", "pkg.b"]]


def test_a_graph_after_an_edit_sees_the_edit(tree: Build) -> None:
    root = tree(CYCLE)
    assert collect_graph(root).cycles == (("pkg.a", "pkg.b"),)
    (root / "pkg" / "b.py").write_text("__all__: list[str] = []\n")
    assert collect_graph(root).cycles == ()
    # A check with other options stored other results: the graph's own check is the default.
    run_check(CheckOptions(paths=(root,), select=("EXP",)))
    (root / "pkg" / "b.py").write_text("import pkg.a\n")
    assert collect_graph(root).cycles == (("pkg.a", "pkg.b"),)
