"""The console script writes a first run's cache in a thread while it prints, and its exit
waits for that write; any other caller, a forked child, or a process with other threads
writes it before `save` returns (ordered by events, never timed)."""

from __future__ import annotations

import atexit
import os
import threading
from pathlib import Path

import pytest

import scaffold.check.incremental.cache_file as cache_file
import scaffold.cli as cli
from scaffold.check import memory
from scaffold.check.discover import discover
from scaffold.check.incremental.store import FactsCache

from .check_support import write_tree


def _tree(root: Path) -> Path:
    files = {"pyproject.toml": '[project]\nname = "demo"\nversion = "0"\n'}
    files["pkg/__init__.py"] = '"""Package."""\n'
    files["pkg/mod.py"] = "import os\n\nVALUE = 1\n"
    return write_tree(root, files)


@pytest.fixture
def console(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process as the console script sees itself (`keeping_until_exit`), any cache
    file large enough to be written in the background."""
    monkeypatch.setattr(cache_file, "BACKGROUND_MIN_BYTES", 0)
    monkeypatch.setattr(memory, "_keeping", True)
    monkeypatch.setattr(memory, "_keeping_pid", os.getpid())
    monkeypatch.setattr(memory, "_KEPT", [])
    monkeypatch.setattr(memory, "_BACKGROUND", [])


def _held_writes(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, list[bool]]:
    """Hold every cache file write until `release` is set; `seen` says, for each, whether
    it was released (False: it gave up waiting, as a write the command waits for does)."""
    release = threading.Event()
    seen: list[bool] = []
    write = cache_file.write_cache_file

    def held(*args: object) -> None:
        seen.append(release.wait(10))
        write(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(cache_file, "write_cache_file", held)
    finish = cache_file.AheadWrite.finish

    def held_finish(ahead: cache_file.AheadWrite, *args: object) -> bool:
        seen.append(release.wait(10))  # a first run's file written ahead: its rest
        return finish(ahead, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(cache_file.AheadWrite, "finish", held_finish)
    return release, seen


@pytest.mark.usefixtures("console")
def test_the_console_script_prints_before_its_cache_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _tree(tmp_path / "tree")
    cache_dir = tmp_path / "cache"
    release, seen = _held_writes(monkeypatch)
    args = ["check", str(root / "pkg"), "--cache-dir", str(cache_dir), "--exit-zero"]
    assert cli.main(args) == 0
    assert "checked" in capsys.readouterr().out  # printed while the write is held
    assert not list(cache_dir.glob("*.bin"))
    release.set()
    memory.finish_background()
    assert seen == [True]
    assert len(list(cache_dir.glob("*.bin"))) == 1
    cache = FactsCache.open(discover(root / "pkg"), cache_dir)
    assert not cache.empty and cache.holds_report  # whole, and read back


@pytest.mark.usefixtures("console")
def test_the_exit_waits_for_the_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    done: list[int] = []

    def work() -> None:
        release.wait(10)
        done.append(1)

    assert memory.in_background_until_exit(work)
    exits: list[int] = []

    def exit_(code: int) -> None:
        exits.append(len(done))
        raise SystemExit(code)

    monkeypatch.setattr(os, "_exit", exit_)
    # Not this test process's own exit handlers (they remove its temp folders).
    monkeypatch.setattr(atexit, "_run_exitfuncs", lambda: None)
    release.set()
    with pytest.raises(SystemExit):
        cli._exit_without_teardown(0)
    # The work ended before the exit: the fast exit, not the interpreter's (which would have
    # waited for a thread still running).
    assert exits == [1]


@pytest.mark.usefixtures("console")
def test_another_process_or_thread_writes_before_save_returns(tmp_path: Path) -> None:
    ran: list[int] = []
    memory._keeping_pid = os.getpid() + 1  # a child forked from the console script
    assert not memory.in_background_until_exit(lambda: ran.append(1))
    memory._keeping_pid = os.getpid()
    other = threading.Event()
    thread = threading.Thread(target=other.wait)  # the language server runs threads
    thread.start()
    try:
        assert not memory.in_background_until_exit(lambda: ran.append(1))
    finally:
        other.set()
        thread.join()
    assert ran == [] and memory._BACKGROUND == []


def test_a_library_call_writes_before_save_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memory, "_keeping", False)
    root = _tree(tmp_path / "tree")
    cache_dir = tmp_path / "cache"
    release, seen = _held_writes(monkeypatch)
    release.set()
    assert cli.main(["check", str(root / "pkg"), "--cache-dir", str(cache_dir), "-q"]) == 0
    assert seen == [True] and len(list(cache_dir.glob("*.bin"))) == 1


@pytest.mark.usefixtures("console")
def test_a_second_save_or_open_waits_for_the_first_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path / "tree")
    cache_dir = tmp_path / "cache"
    release, seen = _held_writes(monkeypatch)
    tree = discover(root / "pkg")
    assert cli.main(["check", str(root / "pkg"), "--cache-dir", str(cache_dir), "-q"]) == 0
    assert len(memory._BACKGROUND) == 1
    release.set()
    cache = FactsCache.open(tree, cache_dir)  # the write this process started, first
    assert memory._BACKGROUND == [] and not cache.empty and seen == [True]


@pytest.mark.usefixtures("console")
def test_a_small_cache_file_is_written_before_save_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A thread's hand-offs of the GIL cost more than writing a few megabytes (sympy's 7 MB).
    root = _tree(tmp_path / "tree")
    cache_dir = tmp_path / "cache"
    monkeypatch.setattr(cache_file, "BACKGROUND_MIN_BYTES", 16_000_000)
    assert cli.main(["check", str(root / "pkg"), "--cache-dir", str(cache_dir), "-q"]) == 0
    assert memory._BACKGROUND == [] and len(list(cache_dir.glob("*.bin"))) == 1


@pytest.mark.usefixtures("console")
def test_a_fork_waits_for_a_cache_file_being_written() -> None:
    # The second of several paths checked parses in forked workers, as the first did.
    from scaffold.check.incremental import pool

    done: list[int] = []
    assert memory.in_background_until_exit(lambda: done.append(sum(range(3_000_000))))
    assert pool._may_fork()  # once the write is over, not while it runs
    assert done and memory._BACKGROUND == []
