"""A first run's results of files where nothing was found, nothing was asked and no other
file was read: one object for all of them, stored as one tuple, and reused as any other."""

from __future__ import annotations

import marshal
from pathlib import Path
from typing import Any

import pytest

from scaffold.check import CheckOptions, run_check
from scaffold.check.analysis import NOTHING_FOUND
from scaffold.check.discover import discover
from scaffold.check.incremental import reuse
from scaffold.check.incremental.packed import PLAIN, PLAIN_RAW
from scaffold.check.incremental.store import FactsCache
from scaffold.check.project import _Reads

from .check_support import DEFAULT, write_tree


def _tree(root: Path) -> Path:
    files = {"pyproject.toml": '[project]\nname = "demo"\nversion = "0"\n'}
    files["pkg/__init__.py"] = '"""Package."""\n'
    for index in range(6):
        files[f"pkg/plain{index}.py"] = f'"""Module."""\n\nimport os\n\nVALUE = {index}\n'
    files["pkg/reader.py"] = '"""Module."""\n\nfrom pkg.plain0 import VALUE\n\nOTHER = VALUE\n'
    return write_tree(root, files)


def _report(root: Path, *, use_cache: bool = True) -> list[tuple[str, str, int, str]]:
    options = CheckOptions(paths=(root / "pkg",), select=DEFAULT, use_cache=use_cache)
    return sorted((d.code, d.path, d.line, d.message) for d in run_check(options).diagnostics)


def _stored_files(root: Path) -> dict[str, tuple[object, ...]]:
    cache = FactsCache.open(discover(root / "pkg"))
    files = marshal.loads(cache.analysis)[3]  # type: ignore[arg-type]
    assert isinstance(files, dict)
    return files


def test_a_first_run_stores_the_results_of_plain_files_as_one_tuple(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    assert _report(root) == _report(root, use_cache=False)
    files = _stored_files(root)
    plain = [files[f"pkg.plain{index}"] for index in range(6)]
    assert plain == [PLAIN_RAW] * 6
    assert all(raw is plain[0] for raw in plain)  # written once, then referred to
    # A file that asks of another keeps the files its answers were taken from.
    assert files["pkg.reader"][5] == ("pkg.plain0",)


def test_a_plain_files_result_is_one_object(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path)
    kept: list[reuse.Reuse] = []
    real = reuse.pack_results

    def packing(made: reuse.Reuse) -> None:
        kept.append(made)
        real(made)

    monkeypatch.setattr(reuse, "pack_results", packing)
    _report(root)
    results = kept[0].kept if kept else {}
    assert results and results["pkg.plain1"] is PLAIN
    assert PLAIN.result is NOTHING_FOUND


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pkg/plain0.py", '"""Module."""\n\nimport os\n\nOTHER = 1\n'),  # the reader's name gone
        ("pkg/plain3.py", '"""Module."""\n\nfrom pkg.missing import X\n'),  # a finding now
        ("pkg/plain4.py", '"""Module."""\n\nimport os\n\nVALUE = 4  # moved\n'),
    ],
)
def test_plain_results_are_reused_as_before_after_an_edit(
    tmp_path: Path, name: str, text: str
) -> None:
    root = _tree(tmp_path)
    _report(root)
    (root / name).write_text(text)
    assert _report(root) == _report(root, use_cache=False)
    assert _report(root) == _report(root, use_cache=False)  # the stored results of that run


def test_a_later_run_keeps_plain_results_as_the_one_object(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path)
    _report(root)
    planned: list[reuse.Reuse] = []
    real = reuse.plan

    def planning(*args: Any) -> reuse.Reuse:
        planned.append(real(*args))
        return planned[-1]

    monkeypatch.setattr(reuse, "plan", planning)
    (root / "pkg/plain5.py").write_text('"""Module."""\n\nVALUE = 55\n')
    assert _report(root) == _report(root, use_cache=False)
    assert planned and planned[0].files["pkg.plain1"] is PLAIN
    assert "pkg.plain5" not in planned[0].files  # changed: computed again


def test_the_rules_take_each_files_own_facts_unnoted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The record of a file's result starts with its own key (`Project.recorded`): the
    # analysis reads its own facts past the recording wrapper, a call less per file.
    root = _tree(tmp_path)
    asked: list[object] = []
    for name in ("__getitem__", "__contains__"):
        real = getattr(_Reads, name)

        def counted(self: _Reads, key: object, real: Any = real) -> Any:
            asked.append(key)
            return real(self, key)

        monkeypatch.setattr(_Reads, name, counted)
    for use_cache in (False, True):
        # Without the simulation, which reads every module it runs.
        options = CheckOptions(paths=(root / "pkg",), ignore=("IMP003",), use_cache=use_cache)
        run_check(options)
    assert not [key for key in asked if isinstance(key, str) and key.startswith("pkg.plain")]
