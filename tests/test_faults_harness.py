"""The fault harness itself: a step is the command's own, whatever earlier tests left behind."""

from __future__ import annotations

import contextlib
import gc
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ctrl_c_reaches_python
from tests.faults import Injector, install


class _Leftover:
    """Garbage an earlier test left: a cycle whose finalizer removes a file when collected."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.cycle = self

    def __del__(self) -> None:
        # A finalizer's exception is printed, not raised: the injected fault vanishes here.
        with contextlib.suppress(BaseException):
            os.unlink(self.path)


@pytest.fixture
def eager_gc() -> Iterator[None]:
    """Collect at almost every allocation, as a long test session's full generations do."""
    threshold = gc.get_threshold()
    gc.set_threshold(1, 1, 1)
    yield
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("eager_gc")
def test_a_finalizer_of_earlier_garbage_is_not_a_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An earlier test's garbage, collected while the command runs: its unlink is not the
    # command's first step, and the fault meant for that step must not be spent on it.
    (tmp_path / "old").write_text("x")
    gc.disable()
    try:
        _Leftover(tmp_path / "old")
        injector = Injector(fault="oserror", at=1)
        install(monkeypatch, injector)
        injector.armed = True
    finally:
        gc.enable()  # the next allocation collects
    with pytest.raises(OSError, match="injected"):
        os.mkdir(tmp_path / "first")
    assert injector.names == ["mkdir"]


def test_a_step_of_another_thread_is_not_the_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    injector = Injector(fault="oserror", at=1)
    install(monkeypatch, injector)
    injector.armed = True
    other = threading.Thread(target=os.mkdir, args=(tmp_path / "elsewhere",))
    other.start()
    other.join()
    with pytest.raises(OSError, match="injected"):
        os.mkdir(tmp_path / "first")
    assert (tmp_path / "elsewhere").is_dir() and not (tmp_path / "first").exists()


def test_no_package_attribute_shadows_its_submodule() -> None:
    """Tests hook a module's functions by attribute (`scaffold.generate.update._git`); a
    package that exports a function under a submodule's name (as `generate` exported
    `update`) hands them the function instead, and a hook set there reaches nothing."""
    import importlib
    import pkgutil

    import scaffold

    shadowed: list[str] = []
    for info in pkgutil.walk_packages(scaffold.__path__, "scaffold."):
        module = importlib.import_module(info.name)
        package, _, name = info.name.rpartition(".")
        if getattr(importlib.import_module(package), name) is not module:
            shadowed.append(info.name)
    assert shadowed == []


def test_a_module_imported_under_an_earlier_injector_counts_for_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A module imported while an injector is installed binds its wrapper by name (Copier's
    # `from shutil import rmtree`, imported by the first `new` a worker runs under the
    # harness); undoing the patches does not reach it, and its calls went to that old
    # injector for the rest of the process, unseen by every later one.
    import shutil
    import sys
    import types

    module = types.ModuleType("imported_under_a_fault_test")
    first = Injector()
    with monkeypatch.context() as patch:
        install(patch, first)
        exec("from shutil import rmtree", module.__dict__)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    later = Injector(armed=True)
    with monkeypatch.context() as patch:
        install(patch, later)
        folder = tmp_path / "gone"
        folder.mkdir()
        module.rmtree(folder)
    assert "rmtree" in later.names and "rmtree" not in first.names
    assert module.rmtree is shutil.rmtree


def test_a_suite_started_with_sigint_ignored_still_gets_ctrl_c() -> None:
    # Run as a background job of a shell without job control (or under nohup), the suite
    # starts with SIGINT ignored: every Ctrl-C fault test then saw exit 0 instead of 130.
    import signal

    before = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        ctrl_c_reaches_python()
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, before)


def test_a_suite_started_under_nohup_gives_its_commands_sighup_back() -> None:
    # Under nohup the suite starts with SIGHUP ignored, the signal tests' commands inherit
    # that and (rightly) keep ignoring it: they saw exit 0 instead of 129.
    import signal

    before = signal.getsignal(signal.SIGHUP)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        ctrl_c_reaches_python()
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGHUP, before)
