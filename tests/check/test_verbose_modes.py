"""`-v` with `--fix`, `--diff` and `--watch`: each check they make (what it read, the cache,
its time), what they wrote or would write, and what they left alone; on stderr only."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import scaffold.check.watch as watch_module
from scaffold.cli import main

from .check_support import write_tree

_DUPLICATE = '__all__ = ["load", "load"]\n\n\ndef load() -> None:\n    pass\n'


@pytest.fixture
def legacy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tree with a fixable finding (EXP003) in one file and an unfixable one (EXP001)."""
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "legacy"\n',
            "legacy/__init__.py": _DUPLICATE,
            "legacy/api.py": '__all__ = ["gone"]\n',
        },
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _verbose_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("verbose: ")]


def test_fix_says_each_check_and_what_it_fixed(
    legacy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "-v", "--fix", "."]) == 1
    captured = capsys.readouterr()
    assert "verbose:" not in captured.out
    lines = _verbose_lines(captured.err)
    assert lines[0] == "verbose: --fix: check 1"
    assert lines[1] == "verbose: configuration: pyproject.toml"
    assert lines[2].startswith("verbose: cache: ") and "(2 of 2 files parsed" in lines[2]
    assert lines[3] == "verbose: files: 2 read, 2 reported on"
    assert lines[4].startswith("verbose: time: ")
    # The check after the fix parses only the file it wrote.
    assert lines[5] == "verbose: --fix: check 2"
    assert "(1 of 2 files parsed" in lines[7]
    assert "verbose: fixed: legacy/__init__.py (1 finding)" in lines
    assert lines[-1].startswith("verbose: total time: ") and lines[-1].endswith(" s")


def test_fix_says_which_file_it_left_alone_and_why(
    legacy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import scaffold.check.fix as fix

    def refuse(plan: fix.FileFix) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(fix, "write_fix", refuse)
    main(["check", "-v", "--fix", "--no-cache", "."])
    lines = _verbose_lines(capsys.readouterr().err)
    assert "verbose: cache: not used (--no-cache)" in lines
    assert "verbose: fixed: no file" in lines
    skipped = [line for line in lines if line.startswith("verbose: skipped: ")]
    assert len(skipped) == 1 and "__init__.py not fixed: Permission denied" in skipped[0]


def test_diff_says_what_it_read_and_would_fix_and_writes_nothing(
    legacy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "-v", "--diff", "--no-cache", "."]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("--- a/legacy/__init__.py")
    lines = _verbose_lines(captured.err)
    assert lines[:2] == ["verbose: --diff: check 1", "verbose: configuration: pyproject.toml"]
    assert "verbose: would fix: legacy/__init__.py (1 finding)" in lines
    assert (legacy / "legacy/__init__.py").read_text() == _DUPLICATE


def test_quiet_silences_verbose_in_every_mode(
    legacy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["check", "-v", "-q", "--diff", "."])
    main(["check", "-v", "-q", "--fix", "."])
    assert "verbose:" not in capsys.readouterr().err


def test_watch_says_what_changed_and_what_each_check_read(
    legacy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    api = legacy / "legacy/api.py"
    real_watch = watch_module.watch

    def changes() -> Iterator[object]:
        yield set()  # the watcher runs
        api.write_text('__all__ = ["gone"]\ngone = 1\n')
        yield {(2, os.path.abspath(api))}  # watchfiles' (Change.modified, path)

    def fake_watch(options: object, write: object, **kwargs: object) -> int:
        return real_watch(options, write, changes(), **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(watch_module, "watch", fake_watch)
    main(["check", "-v", "--watch", "."])
    lines = _verbose_lines(capsys.readouterr().err)
    assert lines[0] == "verbose: configuration: pyproject.toml"
    assert "verbose: changed: legacy/api.py" in lines
    after = lines[lines.index("verbose: changed: legacy/api.py") + 2]
    assert after.startswith("verbose: cache: ") and "(1 of 2 files parsed" in after
