"""Shared fixtures: isolate every test from the user's Copier and scaffold settings; run
commands and build wheels the way the end-to-end tests all need."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_settings(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A user's Copier `trust:` list or defaults would change what templates do.
    home = tmp_path_factory.mktemp("home")
    settings = home / "copier-settings.yml"
    settings.write_text("{}\n", encoding="utf-8")
    monkeypatch.setenv("COPIER_SETTINGS_PATH", str(settings))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("SCAFFOLD_DEBUG", raising=False)


def tree_snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` with its bytes, to prove a failed run changed nothing."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    } | {
        path.relative_to(root).as_posix() + "/": b""
        for path in sorted(root.rglob("*"))
        if path.is_dir()
    }


def run_ok(argv: list[str], cwd: Path, *, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run a command as a user would (not with this test run's import path or pytest
    settings) and fail the test with its output unless it exits 0."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "VIRTUAL_ENV") and not key.startswith("PYTEST_")
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    proc = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert proc.returncode == 0, f"{argv} failed in {cwd}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def build_wheel(project: Path, dist: Path) -> Path:
    """Build `project`'s wheel into `dist` with this interpreter's hatchling (no network).

    Requires-Python is not enforced: some answer sets target a newer Python than the one
    running the tests, and building does not run the code.
    """
    before = set(dist.glob("*.whl")) if dist.is_dir() else set()
    run_ok(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--ignore-requires-python",
            "-w",
            str(dist),
            str(project),
        ],
        project,
    )
    (wheel,) = set(dist.glob("*.whl")) - before
    return wheel


def assert_refused(
    argv: list[str], fragment: str, root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`scaffold ARGV` is refused the way all bad input is: exit 2, one `error:` line on
    stderr naming the problem, no traceback, and nothing under `root` changed."""
    from scaffold.cli import main

    before = tree_snapshot(root)
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("error: ")
    assert fragment in lines[0]
    assert "Traceback" not in captured.err + captured.out
    assert tree_snapshot(root) == before
