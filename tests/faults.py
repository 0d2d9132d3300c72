"""Fault injection by step: a Ctrl-C or an I/O error at the n-th filesystem call of a command.

Every call of the wrapped `os` and `shutil` functions is a numbered step while the injector
is armed; a Ctrl-C is injected just before or just after a step (a real SIGINT, raised with
`signal.raise_signal`, so whatever handler the code under test installed sees it), an I/O
error instead of a step. No timing: the same run hits the same step every time.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# The calls that change the filesystem. rmtree and copy2 are one step each: what they do
# inside is the same call many times over.
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

    def step(self, name: str, real: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self.armed or self._depth:
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
    """Route the filesystem calls of `os` and `shutil` through `injector`."""
    for module, names in ((os, OS_STEPS), (shutil, SHUTIL_STEPS)):
        for name in names:
            real = getattr(module, name)

            def wrapped(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
                return injector.step(_name, _real, *args, **kwargs)

            monkeypatch.setattr(module, name, wrapped)


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
    """Run once without a fault: how many fault points the command has, and its result."""
    counter = Injector(fault=fault)
    outcome = run(counter)
    assert outcome.code == 0, outcome.err
    assert counter.count > 0, "the injector saw no step: nothing would be tested"
    return counter.count, outcome
