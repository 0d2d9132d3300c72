"""`scaffold graph` options together: the contracts' view drawn at a depth, around a module and
without excluded ones; options that cannot apply refused; empty results that say why; the
mermaid size note judging the drawing actually asked for."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from scaffold.check import graph_render
from scaffold.check.graph_render import GraphView, render_graph
from scaffold.cli import main

from .check_support import FIXTURES

Tree = Callable[[Mapping[str, str | bytes]], Path]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ARC001's bad tree ("UI above domain": ui > api | cli > domain), copied: a graph keeps
    its cache at the project root, and nothing is written into tests/."""
    return shutil.copytree(FIXTURES / "ARC001" / "bad", tmp_path_factory.mktemp("shop") / "bad")


def _edges(document: str) -> list[tuple[str, str]]:
    return [(e["source"], e["target"]) for e in json.loads(document)["edges"]]


def test_the_contracts_view_is_drawn_at_the_asked_depth(shop: Path) -> None:
    full = _edges(render_graph(shop, "json", check_contracts=True))
    assert ("shop.domain.order", "shop.helpers") in full
    collapsed = json.loads(render_graph(shop, "json", check_contracts=True, depth=2))
    assert [(e["source"], e["target"], e["contracts"]) for e in collapsed["edges"]] == [
        ("shop.api", "shop.cli", ["UI above domain"]),
        ("shop.domain", "shop.helpers", ["UI above domain"]),
        ("shop.domain", "shop.ui", ["UI above domain"]),
        ("shop.helpers", "shop.ui", ["UI above domain"]),
    ]
    domain = {n["id"]: n for n in collapsed["nodes"]}["shop.domain"]
    assert domain["files"] == ["shop/domain/legacy.py", "shop/domain/order.py"]
    assert domain["codes"] == {"ARC001": 2}  # the check's findings in its files
    imports = {(e["source"], e["target"]): e["imports"] for e in collapsed["edges"]}
    assert [i["path"] for i in imports["shop.domain", "shop.ui"]] == ["shop/domain/legacy.py"]


def test_the_contracts_view_keeps_focus_and_exclude(shop: Path) -> None:
    around = render_graph(
        shop, "json", check_contracts=True, view=GraphView(focus="shop.ui", upstream=True)
    )
    assert sorted(_edges(around)) == [
        ("shop.domain.legacy", "shop.ui"),
        ("shop.domain.order", "shop.helpers"),
        ("shop.helpers", "shop.ui"),
    ]
    without = render_graph(shop, "json", check_contracts=True, view=GraphView(exclude=("shop.ui",)))
    assert _edges(without) == [("shop.api", "shop.cli"), ("shop.domain.order", "shop.helpers")]


@pytest.mark.parametrize(
    ("args", "note"),
    [
        (["--depth", "1"], "the 4 imports that break a contract each join modules drawn as one"),
        (["--exclude", "shop"], "--exclude left out all 4 imports that break a contract"),
    ],
)
def test_an_empty_contracts_view_says_why(
    args: list[str], note: str, capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    assert main(["graph", str(shop), "--check-contracts", "--format", "json", *args]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["edges"] == [] and document["note"].startswith(note)


def test_excluding_every_module_says_so_rather_than_that_there_are_none(
    capsys: pytest.CaptureFixture[str],
    shop: Path,
) -> None:
    assert main(["graph", str(shop), "--exclude", "shop"]) == 0
    assert "%% --exclude left out all 8 first-party modules" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--check-contracts", "--cycles"], "--check-contracts draws the chains that break"),
        (["--check-contracts", "--all-imports"], "leave out --all-imports"),
        (["--upstream"], "--upstream needs --focus MODULE"),
        (["--downstream"], "--downstream needs --focus MODULE"),
        (["--radius", "1"], "--radius needs --focus MODULE"),
    ],
)
def test_options_that_cannot_apply_exit_2_with_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    assert main(["graph", str(shop), *args]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and len(captured.err.strip().splitlines()) == 1
    assert captured.out == ""


def test_the_mermaid_note_judges_the_drawing_asked_for(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(
        {
            "x/__init__.py": "",
            "x/a.py": "import x.b\nimport z.c\n",
            "x/b.py": "import x.a\nimport y.d\n",
            "y/__init__.py": "",
            "y/d.py": "import z.c\n",
            "z/__init__.py": "",
            "z/c.py": "",
        }
    )
    # One edge "fits": the whole graph has 3 at depth 1; its cycles 2 between modules, and
    # none at depth 1, where the loop is inside `x`.
    monkeypatch.setattr(graph_render, "MERMAID_EDGES", 1)
    notes: list[str] = []
    render_graph(root, "mermaid", cycles_only=True, notes=notes)
    assert notes == ["note: 2 edges; GitHub and mermaid draw at most 1 (--depth 1 fits)"]
    notes.clear()
    render_graph(root, "mermaid", notes=notes)
    assert notes[0].endswith("(no --depth fits; use --format dot or json)")


@pytest.mark.parametrize(
    ("args", "note"),
    [
        ([], "no import cycles among the 4 first-party modules"),
        (
            ["--exclude", "loop.b"],
            "no import cycles among the 3 first-party modules shown after --exclude",
        ),
        (
            ["--focus", "loop.c"],
            "no import cycles among the 1 first-party module shown after --focus",
        ),
    ],
)
def test_no_cycles_left_by_focus_or_exclude_says_so(
    args: list[str], note: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A tree with a cycle that --exclude or --focus leaves out is not a tree without one."""
    package = tmp_path / "loop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from loop import b\n")
    (package / "b.py").write_text("from loop import a\n")
    (package / "c.py").write_text("X = 1\n")
    if not args:  # the cycle is there, and --cycles draws it
        assert main(["graph", str(tmp_path), "--cycles", "--format", "json"]) == 0
        assert len(json.loads(capsys.readouterr().out)["edges"]) == 2
        (package / "b.py").write_text("X = 2\n")
    assert main(["graph", str(tmp_path), "--cycles", "--format", "json", *args]) == 0
    assert json.loads(capsys.readouterr().out)["note"] == note


def _red(document: str, only_cycles: bool) -> tuple[list[tuple[str, str]], list[str]]:
    """The edges and nodes a graph draws red (all of them, for a --cycles graph)."""
    graph = json.loads(document)
    edges = [(e["source"], e["target"]) for e in graph["edges"] if only_cycles or e["cycle"]]
    return sorted(edges), sorted(n["id"] for n in graph["nodes"] if only_cycles or n["cycle"])


@pytest.mark.parametrize("depth", [None, 1, 2, 3])
def test_cycles_shows_what_the_whole_graph_draws_red_at_every_depth(
    depth: int | None, tmp_path: Path
) -> None:
    """Two loops joined by an import that is in neither: --cycles draws the loops, not it."""
    files = {
        "two/__init__.py": "",
        "two/x/__init__.py": "",
        "two/x/a.py": "from two.x import b\nfrom two.y import c\n",
        "two/x/b.py": "from two.x import a\n",
        "two/y/__init__.py": "",
        "two/y/c.py": "from two.y import d\n",
        "two/y/d.py": "from two.y import c\n",
        "two/z.py": "from two.x import a\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    whole = _red(render_graph(tmp_path, "json", depth=depth), only_cycles=False)
    cycles = _red(render_graph(tmp_path, "json", depth=depth, cycles_only=True), only_cycles=True)
    assert cycles == whole
    if depth is None:
        assert ("two.x.a", "two.y.c") not in cycles[0]
        assert len(cycles[0]) == 4


def test_the_contracts_view_marks_the_imports_and_modules_in_a_cycle(tmp_path: Path) -> None:
    """A loop between siblings is a contract's chain and a cycle: the JSON says both, and
    its modules are drawn red, as in the whole graph at the same --depth."""
    files = {
        "pyproject.toml": '[project]\nname = "loop"\nversion = "0"\n\n'
        '[[tool.scaffold.check.contracts]]\nname = "no loops"\ntype = "acyclic-siblings"\n'
        'ancestors = ["loop"]\n',
        "loop/__init__.py": "",
        "loop/a/__init__.py": "",
        "loop/a/x.py": "from loop.b import y\n",
        "loop/b/__init__.py": "",
        "loop/b/y.py": "from loop.a import x\n",
        "loop/a/z.py": "",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    for depth in (None, 2):
        view = json.loads(render_graph(tmp_path, "json", check_contracts=True, depth=depth))
        whole = json.loads(render_graph(tmp_path, "json", depth=depth))
        red = {n["id"] for n in whole["nodes"] if n["cycle"]}
        assert red and {n["id"] for n in view["nodes"] if n["cycle"]} == red
        assert all(e["cycle"] and e["contracts"] == ["no loops"] for e in view["edges"])
        assert view["cycles"] == whole["cycles"]
    dot = render_graph(tmp_path, "dot", check_contracts=True)
    assert '"loop.b.y" [color=red, fontcolor=red];' in dot
