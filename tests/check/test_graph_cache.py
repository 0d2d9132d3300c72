"""A warm `scaffold graph` prints the rendering kept for the same check inputs and options,
byte for byte what a run without any cache draws, and draws again when anything changed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from scaffold.check import graph_render
from scaffold.check.graph_render import GraphView, render_graph
from scaffold.check.incremental.location import CACHE_DIR_ENV

from .check_support import FIXTURES

Tree = Callable[[Mapping[str, str | bytes]], Path]
SHOP = FIXTURES / "ARC001" / "bad"  # a tree with a contract and import cycles

# Each row: format and the options of render_graph.
DRAWINGS: list[tuple[str, dict[str, object]]] = [
    ("json", {}),
    ("mermaid", {"depth": 2}),
    ("dot", {"cycles_only": True}),
    ("json", {"check_contracts": True}),
    ("mermaid", {"all_imports": True, "view": GraphView(exclude=("shop.cli",))}),
    ("json", {"view": GraphView(focus="shop.ui", upstream=True)}),
]


def _drawn(path: Path, output_format: str, options: dict[str, object]) -> tuple[str, list[str]]:
    notes: list[str] = []
    text = render_graph(path, output_format, notes=notes, **options)  # type: ignore[arg-type]
    return text, notes


def _never_checked(path: Path, *args: object) -> None:
    raise AssertionError(f"{path} was checked again: the kept graph was not used")


def _copy(source: Path, target: Path) -> Path:
    for file in source.rglob("*"):
        if file.is_file() and ".scaffold_cache" not in file.parts:
            (target / file.relative_to(source)).parent.mkdir(parents=True, exist_ok=True)
            (target / file.relative_to(source)).write_bytes(file.read_bytes())
    return target


@pytest.mark.parametrize(("output_format", "options"), DRAWINGS)
def test_a_kept_graph_is_the_graph_drawn_without_a_cache(
    output_format: str,
    options: dict[str, object],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shop = _copy(SHOP, tmp_path / "shop")
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "fresh"))
    fresh = _drawn(shop, output_format, options)
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "warm"))
    assert _drawn(shop, output_format, options) == fresh  # drawn, then kept
    with monkeypatch.context() as patch:
        patch.setattr(graph_render.Checked, "of", _never_checked)
        assert _drawn(shop, output_format, options) == fresh


def test_each_set_of_options_is_drawn_for_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = _copy(SHOP, tmp_path / "shop")
    drawn = [_drawn(shop, output_format, options) for output_format, options in DRAWINGS]
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "fresh"))
    for (output_format, options), expected in zip(DRAWINGS, drawn, strict=True):
        assert _drawn(shop, output_format, options) == expected
    assert len({text for text, _ in drawn}) == len(DRAWINGS)


def test_an_edit_that_changes_the_imports_draws_again(tree: Tree) -> None:
    project = tree({"pkg/__init__.py": "", "pkg/a.py": "import pkg.b\n", "pkg/b.py": ""})
    before, _ = _drawn(project, "json", {})
    (project / "pkg" / "b.py").write_text("import pkg.a\n")
    after, _ = _drawn(project, "json", {})
    assert '"source": "pkg.b"' not in before
    assert '"source": "pkg.b"' in after
    # A comment leaves the facts, and so the kept graph, as they were.
    (project / "pkg" / "b.py").write_text("import pkg.a  # back\n")
    assert _drawn(project, "json", {})[0] == after


def test_the_mermaid_size_note_is_kept_with_the_graph(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = [f"m{i}" for i in range(24)]  # 24 * 23 = 552 imports, over mermaid's 500
    files = {f"pkg/{name}.py": "".join(f"import pkg.{o}\n" for o in names) for name in names}
    project = tree({"pkg/__init__.py": "", **files})
    drawn = _drawn(project, "mermaid", {})
    assert drawn[1] and "500" in drawn[1][0]
    monkeypatch.setattr(graph_render.Checked, "of", _never_checked)
    assert _drawn(project, "mermaid", {}) == drawn


@pytest.mark.parametrize("damage", [b"", b"garbage", None])
def test_a_damaged_kept_graph_is_drawn_again(tree: Tree, damage: bytes | None) -> None:
    project = tree({"pkg/__init__.py": "", "pkg/a.py": "import pkg.b\n", "pkg/b.py": ""})
    drawn = _drawn(project, "dot", {})
    (kept,) = (project / ".scaffold_cache").glob("*.graph")
    data = kept.read_bytes()
    kept.write_bytes(data[: len(data) // 2] if damage is None else damage)
    assert _drawn(project, "dot", {}) == drawn
