"""Fault injection by step: a Ctrl-C or an I/O error at the n-th filesystem call of a command.

Every call of the wrapped `os` and `shutil` functions is a numbered step while the injector
is armed; a Ctrl-C is injected just before or just after a step (a real SIGINT, raised with
`signal.raise_signal`, so whatever handler the code under test installed sees it), an I/O
error instead of a step. No timing: the same run hits the same step every time.
"""

from __future__ import annotations

import builtins
import errno
import gc
import io
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FunctionType
from typing import Any

import pytest

from scaffold.generate.temporaries import own_folder

# The calls that change the filesystem (and `open` of a path for writing, below). rmtree and
# copy2 are one step each: what they do inside is the same call many times over.
OS_STEPS = ("replace", "rename", "link", "symlink", "mkdir", "rmdir", "unlink", "open")
SHUTIL_STEPS = ("rmtree", "copy2", "copytree")
FAULTS = ("sigint", "oserror")


@dataclass
class Injector:
    """Counts steps; faults the one numbered `at` (None: only count)."""

    fault: str = "sigint"
    at: int | None = None
    armed: bool = False
    count: int = 0
    names: list[str] = field(default_factory=list)
    _depth: int = 0
    # The thread the command runs in: a call from another (a thread an earlier test left
    # running) is no step of the command's.
    _thread: int = field(default_factory=threading.get_ident)

    def step(self, name: str, real: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self.armed or self._depth or threading.get_ident() != self._thread:
            return real(*args, **kwargs)
        # A Ctrl-C has two places per step (before it, after it); an I/O error one.
        self.count += 1
        self.names.append(name)
        if self.at == self.count:
            if self.fault == "sigint":
                signal.raise_signal(signal.SIGINT)
            elif kwargs.get("ignore_errors"):
                return None  # an rmtree told to ignore errors fails by removing nothing
            else:
                raise OSError(errno.EIO, f"injected I/O error in {name}")
        self._depth += 1
        try:
            result = real(*args, **kwargs)
        finally:
            self._depth -= 1
        if self.fault == "sigint":
            self.count += 1
            self.names.append(f"after {name}")
            if self.at == self.count:
                signal.raise_signal(signal.SIGINT)
        return result


def install(monkeypatch: pytest.MonkeyPatch, injector: Injector) -> None:
    """Route the filesystem calls of `os` and `shutil` through `injector`, also where a
    module imported one by name (`from shutil import rmtree`, as Copier does): missed
    there, an rmtree's every inner unlink counted as a step of its own."""
    # Made once per process, by its first Copier run: made here, so that which run pays for
    # it (and for removing what killed processes left) does not depend on the tests' order.
    own_folder()
    # Garbage earlier tests left is collected now, not while the command runs: a finalizer
    # that removes a file (a TemporaryDirectory's) would take the command's step, and the
    # fault meant for it would be raised in the finalizer, where Python only prints it.
    gc.collect()
    wrappers: dict[int, Any] = {}
    for module, names in ((os, OS_STEPS), (shutil, SHUTIL_STEPS)):
        for name in names:
            real = getattr(module, name)

            def wrapped(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
                return injector.step(_name, _real, *args, **kwargs)

            wrapped.fault_step_of = real  # type: ignore[attr-defined]
            wrappers[id(real)] = (name, wrapped)
            monkeypatch.setattr(module, name, wrapped)
    real_open = io.open

    def opening(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        # Opening a path to write is a step (Copier writes every file this way); a read,
        # or a pipe's descriptor wrapped by subprocess, is not.
        if isinstance(file, int) or not set(mode) & set("wax+"):
            return real_open(file, mode, *args, **kwargs)
        return injector.step("open for writing", real_open, file, mode, *args, **kwargs)

    monkeypatch.setattr(io, "open", opening)
    monkeypatch.setattr(builtins, "open", opening)
    for module in list(sys.modules.values()):
        if module in (os, shutil) or module.__name__ in ("posix", "nt"):
            continue  # the modules patched above, and the one `os` takes its calls from
        for name, value in list(getattr(module, "__dict__", {}).items()):
            # A module first imported while an earlier test's injector was installed took
            # its wrapper (`from shutil import rmtree` in Copier): put the real function
            # back for good, or its calls would go to that old injector, past this one.
            real = value.__dict__.get("fault_step_of") if type(value) is FunctionType else None
            if real is not None:
                setattr(module, name, real)
                value = real
            found = wrappers.get(id(value))
            if found is not None and found[0] == name:
                monkeypatch.setattr(module, name, found[1])


def arm_when_called(
    monkeypatch: pytest.MonkeyPatch, injector: Injector, owner: object, name: str
) -> None:
    """Arm `injector` when `owner.name` is first called: faults from that phase on."""
    real = getattr(owner, name)

    def arming(*args: Any, **kwargs: Any) -> Any:
        injector.armed = True
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, arming)


def snapshot(root: Path) -> dict[str, object]:
    """Every entry under `root`: a file's bytes, mode and link count, a link's target."""
    found: dict[str, object] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[rel] = ("link", os.readlink(path))
        elif path.is_dir():
            found[rel + "/"] = "folder"
        else:
            info = path.stat()
            found[rel] = (path.read_bytes(), info.st_mode & 0o7777, info.st_nlink)
    return found


def copy_tree(source: Path, target: Path) -> Path:
    """A fresh copy of a prepared tree, made before any injector is armed."""
    shutil.copytree(source, target, symlinks=True)
    return target


@dataclass(frozen=True)
class Outcome:
    """What one faulted run did: its exit code, stderr, and the tree it left."""

    code: int
    err: str
    tree: dict[str, object]


def steps_of(run: Callable[[Injector], Outcome], fault: str) -> tuple[int, Outcome]:
    """Run without a fault: how many fault points the command has, and its result.

    Counted on a second run: the first run of a command in a process does one-time work
    (a cache folder made, a first import writing), which the faulted runs after it skip,
    and their steps would not line up with the count."""
    run(Injector(fault=fault))
    counter = Injector(fault=fault)
    outcome = run(counter)
    assert outcome.code == 0, outcome.err
    assert counter.count > 0, "the injector saw no step: nothing would be tested"
    return counter.count, outcome


# The user the permission tests drop to when they run as root (root reads every folder, so
# an unreadable folder can only be shown to another user): nobody, on every Linux.
UNPRIVILEGED = 65534


@dataclass(frozen=True)
class SharedFolder:
    """A folder another user can work in: the permission tests' tree, outside pytest's
    private (mode 700) temporary folder."""

    path: Path
    locked: list[Path] = field(default_factory=list)

    def lock(self, path: Path, mode: int = 0) -> Path:
        """Take the other user's rights on `path` away (`mode`: what is left)."""
        path.chmod(mode)
        self.locked.append(path)
        return path

    def open_up(self) -> None:
        """Let the other user read and write everything made so far."""
        for folder, dirs, files in os.walk(self.path):
            for name in [*dirs, *files]:
                os.chmod(os.path.join(folder, name), 0o777 if name in dirs else 0o666)
        self.path.chmod(0o777)


def shared_folder() -> SharedFolder:
    """A new folder in the system's temporary folder, which any user can reach (the test
    run's own temporary folder lies in pytest's, which only its owner can enter)."""
    import tempfile

    from tests.conftest import MACHINE_TEMP

    return SharedFolder(Path(tempfile.mkdtemp(prefix="scaffold-perm-", dir=MACHINE_TEMP)))


def remove_shared(folder: SharedFolder) -> None:
    for path in folder.locked:
        if path.exists():
            path.chmod(0o700)
    shutil.rmtree(folder.path, ignore_errors=True)


def run_unprivileged(
    argv: list[str], cwd: Path, *, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run `python -m scaffold ARGV` as a user without root's rights: as `nobody` through
    `setpriv` when the tests run as root, as the current user otherwise."""
    command = [sys.executable, "-m", "scaffold", *argv]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: no way to drop root's rights")
        ids = str(UNPRIVILEGED)
        command = [setpriv, f"--reuid={ids}", f"--regid={ids}", "--clear-groups", *command]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env |= {"HOME": str(cwd), "PYTHONDONTWRITEBYTECODE": "1", "XDG_CONFIG_HOME": str(cwd)}
    env.pop("COPIER_SETTINGS_PATH", None)
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
