"""`scaffold graph`: golden outputs for a small tree in each format, filters, bad input."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from scaffold.check.graph_render import GraphView, collect_graph, render_graph
from scaffold.check.output.graph import GRAPH_FORMATS
from scaffold.cli import main

from .check_support import FIXTURES

GRAPH = FIXTURES / "graph"
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(autouse=True)
def _cache_outside_the_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A graph goes through the cache unless told not to, kept at the project root: for
    # the fixture, that is the repository. Tests write under tmp_path only.
    monkeypatch.setenv("SCAFFOLD_CACHE_DIR", str(tmp_path / "cache"))


@pytest.mark.parametrize(
    ("args", "golden"),
    [
        (["--format", "mermaid"], "graph.mermaid"),
        (["--format", "dot"], "graph.dot"),
        (["--format", "json"], "graph.json"),
        (["--cycles"], "graph-cycles.mermaid"),
        (["--depth", "1"], "graph-depth1.mermaid"),
        (["--depth", "2", "--format", "dot"], "graph-depth2.dot"),
    ],
)
def test_golden_output(args: list[str], golden: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", str(GRAPH), *args]) == 0
    assert capsys.readouterr().out == (GOLDEN / golden).read_text(encoding="utf-8")


def test_unknown_format_lists_the_registered_formats(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", str(GRAPH), "--format", "xml"]) == 2
    assert f"(choose one of: {', '.join(GRAPH_FORMATS)}, svg)" in capsys.readouterr().err


@pytest.mark.parametrize("name", list(GRAPH_FORMATS))
def test_every_registered_graph_format_renders(name: str) -> None:
    assert "pkg.a" in render_graph(GRAPH, name)


def test_graph_leaves_out_scripts_function_and_type_checking_imports() -> None:
    graph = collect_graph(GRAPH)
    assert "test_tools" not in graph.nodes
    assert ("pkg.sub.x", "pkg.b") not in graph.edges
    assert ("tools", "pkg.b") not in graph.edges
    assert graph.cycles == (("pkg.a", "pkg.b"),)


def test_depth_keeps_a_collapsed_loop_visible() -> None:
    graph = collect_graph(GRAPH, depth=1)
    assert graph.nodes == ("pkg", "tools")
    assert graph.cycles == ()
    assert graph.cyclic_nodes == {"pkg"}


def test_output_is_deterministic() -> None:
    first = render_graph(GRAPH, "json")
    assert all(render_graph(GRAPH, "json") == first for _ in range(3))


def test_a_package_folder_shows_only_its_modules() -> None:
    graph = collect_graph(GRAPH / "pkg" / "sub")
    assert graph.nodes == ("pkg.sub", "pkg.sub.x")
    assert graph.edges == ()


def test_cycles_on_an_acyclic_tree_is_empty(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", str(GRAPH / "pkg" / "sub"), "--cycles"]) == 0
    out = capsys.readouterr().out
    assert out == "flowchart LR\n    %% no import cycles among the 2 first-party modules\n"


def test_an_empty_folder_says_it_has_no_modules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["graph", str(tmp_path), "--cycles", "--format", "dot"]) == 0
    assert "// no first-party modules to show" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["graph", "/no/such/path"], "path does not exist"),
        (["graph", ""], "PATH is empty; name a file or folder to graph"),  # was the current one
        (["graph", "", "--format", "JSON"], "PATH is empty"),
        (["graph", str(GRAPH), "--format", "xml"], "unknown --format 'xml'"),
        (["graph", str(GRAPH), "--depth", "0"], "--depth"),
        (["graph", str(GRAPH), "--depth", "x"], "--depth"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("view", "nodes"),
    [
        (GraphView(focus="pkg.a", upstream=True, radius=1), ("pkg", "pkg.a", "pkg.b", "pkg.sub.x")),
        (GraphView(focus="pkg.a", downstream=True), ("pkg.a", "pkg.b")),
        (GraphView(focus="tools", radius=1), ("pkg.sub.x", "tools")),
        (GraphView(focus="tools"), ("pkg.a", "pkg.b", "pkg.sub.x", "tools")),
        (GraphView(exclude=("pkg.sub",)), ("pkg", "pkg.a", "pkg.b", "tools")),
        (GraphView(exclude=("pkg.*",)), ("pkg", "tools")),
        (GraphView(collapse=("pkg.*",)), ("pkg", "pkg.a", "pkg.b", "pkg.sub", "tools")),
        (GraphView(collapse=("pkg",)), ("pkg", "tools")),
    ],
)
def test_focus_exclude_and_collapse_choose_the_nodes(
    view: GraphView, nodes: tuple[str, ...]
) -> None:
    assert collect_graph(GRAPH, view=view).nodes == nodes


def test_collapsing_keeps_the_loop_red_inside_its_package() -> None:
    graph = collect_graph(GRAPH, view=GraphView(collapse=("pkg",)))
    assert graph.edges == (("tools", "pkg"),)
    assert graph.cyclic_nodes == {"pkg"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--focus", "nope"], "--focus 'nope' is not a node of the graph"),
        (["--focus", "pkg.sub.x", "--depth", "2"], "--focus 'pkg.sub.x' is drawn as 'pkg.sub'"),
        (["--focus", "pkg.sub.x", "--collapse", "pkg"], "is drawn as 'pkg' at this --depth"),
        # Not a module of the tree, or one left out: no node draws it.
        (["--focus", "pkg.sub.y", "--depth", "2"], "--focus 'pkg.sub.y' is not a node"),
        (["--focus", "pkg.a", "--exclude", "pkg.a"], "--focus 'pkg.a' is not a node"),
        (["--focus", "pkg.sub.x", "--depth", "2", "--exclude", "pkg.sub.x"], "is not a node"),
        (["--exclude", "pkg.a-b"], "--exclude 'pkg.a-b' is not a module name or pattern"),
        (["--collapse", ""], "--collapse '' is not a module name or pattern"),
    ],
)
def test_bad_view_exits_2_with_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["graph", str(GRAPH), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_json_edges_carry_their_import_lines_and_nodes_their_package() -> None:
    document = json.loads(render_graph(GRAPH, "json", depth=1))
    [edge] = document["edges"]
    assert (edge["source"], edge["target"]) == ("tools", "pkg")
    assert edge["imports"] == [{"path": "tools.py", "line": 5, "lazy": False, "type_only": False}]
    packages = {node["id"]: node["package"] for node in document["nodes"]}
    assert packages == {"pkg": "", "tools": ""}
    full = json.loads(render_graph(GRAPH, "json"))
    assert {n["id"]: n["package"] for n in full["nodes"]}["pkg.sub.x"] == "pkg.sub"


def test_svg_is_dot_drawn_by_graphviz(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    assert main(["graph", str(GRAPH), "--format", "svg"]) == 2
    err = capsys.readouterr().err
    assert "--format svg needs Graphviz's `dot` on PATH" in err and "mermaid, dot, json" in err
    fake = bin_dir / "dot"  # stands in for Graphviz: echoes what it was given, wrapped
    fake.write_text(
        f"#!{sys.executable}\nimport sys\n"
        "assert sys.argv[1:] == ['-Tsvg']\nprint('<svg>' + sys.stdin.read() + '</svg>')\n"
    )
    fake.chmod(0o755)
    assert main(["graph", str(GRAPH), "--format", "svg"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<svg>digraph imports {") and out.rstrip().endswith("</svg>")
