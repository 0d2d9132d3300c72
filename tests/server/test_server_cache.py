"""The server's first read of a root goes through `.scaffold_cache/` as `scaffold check`
does: the files parsed are stored, and a later start (the editor opened again) parses only
the files changed since, with the same diagnostics as a fresh check."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

import scaffold.check.analysis as analysis
import scaffold.check.incremental.pool as pool
from scaffold.check import CheckOptions, run_check
from scaffold.check.incremental.pool import Parsed, ParseJob
from scaffold.check.server.engine import Workspace

TREE = {
    "pkg/__init__.py": '__all__ = ["a", "missing"]\nfrom . import a\n',
    "pkg/a.py": "from . import b\n",
    "pkg/b.py": "from . import a\n",
    "pkg/c.py": "x = 1\n",
}


def counting_rules(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys of the files the rules run on from now on (reused results run none)."""
    ruled: list[str] = []
    check_file = analysis.check_file

    def counted(project: Any, source: Any, facts: Any, enabled: frozenset[str]) -> Any:
        ruled.append(source.key)
        return check_file(project, source, facts, enabled)

    monkeypatch.setattr(analysis, "check_file", counted)
    return ruled


def _served(root: Path, read_ahead: bool) -> list[tuple[object, ...]]:
    workspace = Workspace()
    if read_ahead:
        workspace.read_ahead(root)  # as the server starts: before the client asks
    workspace.add_root(root)
    found = workspace.analyse()
    return sorted(dataclasses.astuple(d) for each in found.values() for d in each)


def _fresh(root: Path) -> list[tuple[object, ...]]:
    report = run_check(CheckOptions(paths=(root,), use_cache=False, workers=0))
    return sorted(dataclasses.astuple(d) for d in report.diagnostics)


@pytest.mark.parametrize("read_ahead", [False, True])
def test_a_second_start_parses_only_what_changed_since_the_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_ahead: bool
) -> None:
    for rel, text in TREE.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    parsed: list[str] = []
    parse_jobs = pool.parse_jobs

    def counted(jobs: Sequence[ParseJob], workers: int, *rest: object) -> Iterator[Parsed]:
        parsed.extend(job.key for job in jobs)
        return parse_jobs(jobs, workers, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(pool, "parse_jobs", counted)

    def served_parsing(expected: list[str]) -> None:
        served = _served(tmp_path, read_ahead)
        assert sorted(parsed) == expected
        assert served == _fresh(tmp_path)
        parsed.clear()

    served_parsing(["pkg", "pkg.a", "pkg.b", "pkg.c"])
    assert (tmp_path / ".scaffold_cache").is_dir()
    served_parsing([])  # every file's facts from the cache
    (tmp_path / "pkg/c.py").write_text("from . import missing_too\n", encoding="utf-8")
    served_parsing(["pkg.c"])


@pytest.mark.parametrize("read_ahead", [False, True])
def test_a_start_after_a_check_keeps_the_results_it_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_ahead: bool
) -> None:
    # `scaffold check` stored its per-file results in the cache: the server's first analysis
    # runs the per-file rules only for the file changed since, and reports what a fresh
    # check reports.
    for rel, text in TREE.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    run_check(CheckOptions(paths=(tmp_path,)))  # writes .scaffold_cache/
    (tmp_path / "pkg/c.py").write_text("from . import missing_too\n", encoding="utf-8")
    ruled = counting_rules(monkeypatch)
    served = _served(tmp_path, read_ahead)
    assert ruled == ["pkg.c"]
    monkeypatch.undo()
    assert served == _fresh(tmp_path)
