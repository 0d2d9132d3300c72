"""The console script, which ends by os._exit, keeps what a check leaves until then rather
than freeing every file's facts one by one; any other caller keeps nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

import scaffold.cli as cli
from scaffold.check import memory
from scaffold.check.pipeline import CheckResult


def _package(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("from os import *\n")
    return tmp_path / "pkg"


def test_a_check_in_the_console_script_is_kept_for_the_exit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memory, "_KEPT", [])
    monkeypatch.setattr(memory, "_keeping", True)
    cli.main(["check", str(_package(tmp_path)), "--no-cache", "--exit-zero", "-q"])
    assert [type(kept) for kept in memory._KEPT if isinstance(kept, CheckResult)] == [CheckResult]


def test_a_check_called_any_other_way_keeps_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memory, "_KEPT", [])
    monkeypatch.setattr(memory, "_keeping", False)
    cli.main(["check", str(_package(tmp_path)), "--no-cache", "--exit-zero", "-q"])
    assert memory._KEPT == []


def test_the_console_script_says_it_ends_without_teardown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(memory, "_keeping", False)
    seen: list[bool] = []

    def exit_(code: int) -> None:
        seen.append(memory._keeping)
        raise SystemExit(code)

    monkeypatch.setattr(cli, "main", lambda: 0)
    monkeypatch.setattr(cli, "_exit_without_teardown", exit_)
    with pytest.raises(SystemExit):
        cli.run_console()
    assert seen == [True]
