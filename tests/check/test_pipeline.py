"""The pipeline alone (no cache, no processes, nothing of incremental/) reports what
`run_check` reports; `scaffold graph` takes its facts from the cache a check left."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from scaffold.check import CheckOptions, run_check
from scaffold.check.graph_render import collect_graph
from scaffold.check.pipeline import check_paths

from .check_support import DEFAULT, FIXTURES

Build = Callable[[Mapping[str, str | bytes]], Path]


def test_the_pipeline_imports_nothing_of_incremental() -> None:
    code = (
        "import sys, scaffold.check.pipeline;"
        "print(sorted(m for m in sys.modules if m.startswith('scaffold.check.incremental')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("fixture", ["EXP001", "IMP002", "IMP003", "SYN001", "PKG001", "ENT001"])
def test_the_pipeline_alone_reports_what_run_check_reports(fixture: str, tmp_path: Path) -> None:
    # A copy: run_check writes its cache at the project root, never into tests/.
    bad = shutil.copytree(FIXTURES / fixture / "bad", tmp_path / "bad")
    options = CheckOptions(paths=(bad,), select=DEFAULT)
    alone = check_paths(options)
    assert alone.report.diagnostics, f"{fixture} should have findings"
    assert alone.report == run_check(options)
    assert alone.report == run_check(
        CheckOptions(paths=options.paths, select=DEFAULT, use_cache=False)
    )
    assert [checked.tree.base for checked in alone.trees] == [bad]


def test_graph_reads_the_facts_a_check_cached(tree: Build, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree(
        {
            "pyproject.toml": '[project]\nname = "pkg"\nversion = "0"\n',
            "pkg/__init__.py": "from pkg import a\n",
            "pkg/a.py": "from pkg import b\n",
            "pkg/b.py": "import pkg.a\n",
        }
    )
    fresh = collect_graph(root)
    run_check(CheckOptions(paths=(root,)))
    import scaffold.check.incremental.pool as pool

    def no_parsing(*args: object, **kwargs: object) -> object:
        raise AssertionError("a file was parsed again")

    monkeypatch.setattr(pool, "read_source", no_parsing)
    assert collect_graph(root) == fresh
    assert fresh.cycles == (("pkg.a", "pkg.b"),)
