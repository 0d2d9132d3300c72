"""A warm `scaffold check` of several paths prints the printout kept for the same inputs, as
a one-path check does: what a run without any cache prints, without decoding a finding."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from scaffold.check import analysis
from scaffold.check.command import CheckCommand, run_check_command
from scaffold.check.incremental.store import FactsCache

from .check_support import write_tree
from .test_kept_printout import _shop

Run = tuple[str, str, int]
# A second project beside the shop: a loop of its own, a note-free tree.
OTHER = {
    "pyproject.toml": '[project]\nname = "other"\nversion = "0"\n',
    "other/__init__.py": "",
    "other/a.py": "import other.b\n",
    "other/b.py": "import other.a\n",
}


@pytest.fixture(autouse=True)
def _later(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if five seconds had passed since the trees were written (stats then trusted)."""
    now = time.time_ns() + 5_000_000_000
    monkeypatch.setattr(time, "time_ns", lambda: now)


def _run(capsys: pytest.CaptureFixture[str], *paths: str, **options: object) -> Run:
    code = run_check_command(CheckCommand(paths=paths, **options))  # type: ignore[arg-type]
    out, err = capsys.readouterr()
    return out, err, code


def _never(*args: object) -> None:
    raise AssertionError("the check ran again: the kept printout was not used")


def _trees(root: Path) -> tuple[str, ...]:
    _shop(root / "p")
    write_tree(root / "q", OTHER)
    return "p", "q/other/a.py", "q/other/b.py"


@pytest.mark.parametrize("output_format", ["text", "full", "json", "sarif"])
def test_a_check_of_several_paths_keeps_its_printout(
    output_format: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    paths = _trees(tmp_path)
    monkeypatch.chdir(tmp_path)
    fresh = _run(capsys, *paths, use_cache=False, output_format=output_format)
    assert "other" in fresh[0] and "shop" in fresh[0] and fresh[2] == 1
    for _ in range(2):  # checked (rules run), then warm
        assert _run(capsys, *paths, output_format=output_format) == fresh
    with monkeypatch.context() as patch:
        patch.setattr(FactsCache, "report", _never)
        patch.setattr(analysis, "analyse", _never)
        assert _run(capsys, *paths, output_format=output_format) == fresh
    # The same paths in another order and one path alone print what they print.
    for asked in (paths[::-1], paths[:1], paths[1:]):
        fresh = _run(capsys, *asked, use_cache=False, output_format=output_format)
        for _ in range(2):
            assert _run(capsys, *asked, output_format=output_format) == fresh


def test_an_edit_in_any_path_prints_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = _trees(tmp_path)
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        _run(capsys, *paths, output_format="full")
    # Same facts, another line shown by `full`: only the file's content tells.
    (tmp_path / "q" / "other" / "a.py").write_text("import other.b  # back\n", encoding="utf-8")
    fresh = _run(capsys, *paths, use_cache=False, output_format="full")
    assert "# back" in fresh[0]
    assert _run(capsys, *paths, output_format="full") == fresh
    with monkeypatch.context() as patch:
        patch.setattr(FactsCache, "report", _never)
        assert _run(capsys, *paths, output_format="full") == fresh
    (tmp_path / "p" / "shop" / "cycle_b.py").write_text("import shop.cycle_a\nimport shop.api\n")
    fresh = _run(capsys, *paths, use_cache=False, output_format="full")
    for _ in range(2):
        assert _run(capsys, *paths, output_format="full") == fresh


def test_paths_sharing_a_cache_file_keep_no_printout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two projects of one name in one --cache-dir share a cache file, which each run
    overwrites: nothing is kept, and each run prints what a run without the cache does."""
    for name in ("q1", "q2"):
        write_tree(tmp_path / name, OTHER)
    monkeypatch.chdir(tmp_path)
    shared = str(tmp_path / "cache")
    fresh = _run(capsys, "q1", "q2", use_cache=False)
    for _ in range(3):
        assert _run(capsys, "q1", "q2", cache_dir=shared) == fresh
    assert not list((tmp_path / "cache").glob("*.output"))
