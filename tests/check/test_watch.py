"""`scaffold check --watch`: the first report, then only what each change made appear or go."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from scaffold.check.options import CheckOptions
from scaffold.check.watch import watch
from scaffold.cli import main


def _tree(root: Path) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg/__init__.py").write_text('from .core import run\n\n__all__ = ["run"]\n')
    (root / "pkg/core.py").write_text("def run() -> None:\n    pass\n")
    return root


def test_each_change_prints_what_appeared_and_what_went(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path / "t")
    monkeypatch.chdir(root)
    init, core = root / "pkg/__init__.py", root / "pkg/core.py"

    def changes() -> Iterator[object]:
        yield "the watcher runs"
        yield ""  # an idle tick: nothing printed
        init.write_text('from .core import run\n\n__all__ = ["run", "stop"]\n')
        yield "EXP001 appears"
        # Lines move above the finding: the same finding, nothing printed for it.
        init.write_text('"""Doc."""\n\nfrom .core import run\n\n__all__ = ["run", "stop"]\n')
        yield "it moves"
        core.write_text("def run() -> None:\n    pass\n\n\ndef stop() -> None:\n    pass\n")
        init.write_text('from .core import run, stop\n\n__all__ = ["run", "stop"]\n')
        yield "fixed"

    out: list[str] = []
    code = watch(CheckOptions(paths=(root,)), out.append, changes())
    assert code == 0
    first, appeared, moved, fixed = out
    assert first == "All checks passed (2 files checked).\n"
    assert appeared.splitlines() == [
        "+ pkg/__init__.py:3:19: EXP001 'stop' is listed in __all__ but not defined",
        "1 new finding, 0 gone. Found 1 finding (1 error, 0 warnings) in 2 files.",
    ]
    assert moved.splitlines() == [
        "0 new findings, 0 gone. Found 1 finding (1 error, 0 warnings) in 2 files."
    ]
    assert fixed.splitlines() == [
        "- pkg/__init__.py:5:19: EXP001 'stop' is listed in __all__ but not defined",
        "0 new findings, 1 gone. All checks passed (2 files checked).",
    ]


def test_the_watcher_ignores_the_checks_own_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first check creates `.scaffold_cache/.gitignore`: seen as a change, it started a
    # second check that printed "0 new findings, 0 gone" to a user who had changed nothing.
    import watchfiles

    root = _tree(tmp_path / "t")
    monkeypatch.chdir(root)
    asked: list[Callable[[object, str], bool]] = []

    def watched(*paths: str, watch_filter: Callable[[object, str], bool], **_: object) -> Any:
        asked.append(watch_filter)
        yield "the watcher runs"

    monkeypatch.setattr(watchfiles, "watch", watched)
    printed: list[str] = []
    assert watch(CheckOptions(paths=(root,)), printed.append) == 0
    relevant = asked[0]
    assert (root / ".scaffold_cache").is_dir()
    assert not relevant(None, str(root / ".scaffold_cache" / ".gitignore"))
    for name in ("pkg/core.py", "pkg/types.pyi", "pyproject.toml", ".gitignore"):
        assert relevant(None, str(root / name)), name
    assert not relevant(None, str(root / "README.md"))


@pytest.mark.parametrize("other", ["--format=json", "--fix", "--diff", "--statistics"])
def test_watch_refuses_the_one_shot_modes(
    tmp_path: Path, other: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _tree(tmp_path / "t")
    assert main(["check", str(root), "--watch", other]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --watch prints text findings") and err.count("\n") == 1


@pytest.mark.slow
def test_the_command_watches_the_disk(tmp_path: Path) -> None:
    root = _tree(tmp_path / "t")
    process = subprocess.Popen(
        [sys.executable, "-m", "scaffold", "check", ".", "--watch"],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("All checks passed")
        (root / "pkg/__init__.py").write_text('from .core import run\n\n__all__ = ["run", "x"]\n')
        line = process.stdout.readline()
        assert line.startswith("+ pkg/__init__.py:3:19: EXP001"), line
    finally:
        process.terminate()
        process.wait(timeout=30)


class _NotifyThenCtrlC:
    """watchfiles' Rust watcher, as it answers: an idle tick, then the Ctrl-C it caught."""

    def __init__(self, *args: object) -> None:
        self.answers = iter(["timeout", "signal"])

    def __enter__(self) -> _NotifyThenCtrlC:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def watch(self, *args: object) -> str:
        return next(self.answers)

    def close(self) -> None:
        pass


def test_a_ctrl_c_while_watching_says_interrupted_and_exits_130(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A Ctrl-C between checks ended with the last check's code and watchfiles' own log
    # line ("KeyboardInterrupt caught, stopping watch"); during a check, with "Interrupted."
    # and 130. Either way it is now what every other command does.
    import watchfiles.main

    monkeypatch.chdir(_tree(tmp_path / "t"))
    monkeypatch.setattr(watchfiles.main, "RustNotify", _NotifyThenCtrlC)
    assert main(["check", ".", "--watch", "--no-cache"]) == 130
    captured = capsys.readouterr()
    assert captured.out.startswith("All checks passed")
    assert captured.err == "Interrupted.\n"


def test_the_watcher_sees_gits_exclude_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A line added to `.git/info/exclude` or to the user's `core.excludesFile` changes the
    # checked files as a `.gitignore` line does; neither lives in the checked folder.
    import watchfiles

    repo = tmp_path / "repo"
    root = _tree(repo / "src")
    (repo / ".git" / "info").mkdir(parents=True)
    (repo / ".git" / "info" / "exclude").write_text("")
    home = tmp_path / "home"
    (home / ".config" / "git").mkdir(parents=True)
    (home / ".gitconfig").write_text(f"[core]\n\texcludesFile = {home / 'ignores'}\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)
    monkeypatch.chdir(root)
    asked: list[tuple[tuple[str, ...], Callable[[object, str], bool]]] = []

    def watched(*paths: str, watch_filter: Callable[[object, str], bool], **_: object) -> Any:
        asked.append((paths, watch_filter))
        yield "the watcher runs"

    monkeypatch.setattr(watchfiles, "watch", watched)
    printed: list[str] = []
    assert watch(CheckOptions(paths=(root,)), printed.append) == 0
    ((paths, relevant),) = asked
    assert set(paths) == {str(root), str(repo / ".git" / "info"), str(home)}
    assert relevant(None, str(repo / ".git" / "info" / "exclude"))
    assert relevant(None, str(home / "ignores"))
    assert not relevant(None, str(repo / ".git" / "info" / "attributes"))
    assert not relevant(None, str(home / ".gitconfig"))
