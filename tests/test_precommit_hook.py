"""`.pre-commit-hooks.yaml`: the hook definition teams use to run `scaffold check`."""

from __future__ import annotations

import importlib
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import typer
import yaml

from scaffold.cli import app

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / ".pre-commit-hooks.yaml"


def _hooks() -> list[dict[str, object]]:
    hooks = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(hooks, list)
    return hooks


def _check_hook() -> dict[str, object]:
    (hook,) = [hook for hook in _hooks() if hook["id"] == "scaffold-check"]
    return hook


def test_manifest_structure() -> None:
    hooks = _hooks()
    ids = [hook["id"] for hook in hooks]
    assert len(ids) == len(set(ids))
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert all(isinstance(hook[key], str) for key in ("id", "name", "entry", "language"))
    hook = _check_hook()
    assert hook["language"] == "python"  # pre-commit pip-installs this repository
    # The staged files are named; scaffold analyses their projects whole.
    assert hook["pass_filenames"] is True
    assert hook["require_serial"] is True


def test_manifest_is_valid_for_pre_commit_itself() -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib")
    loaded = clientlib.load_manifest(MANIFEST)
    assert [hook["id"] for hook in loaded] == [hook["id"] for hook in _hooks()]


@pytest.mark.parametrize(
    ("path", "runs"),
    [
        ("pkg/mod.py", True),
        ("pkg/mod.pyi", True),
        ("pyproject.toml", True),
        ("packages/core/pyproject.toml", True),
        ("README.md", False),
        ("setup.cfg", False),
        ("notpyproject.toml", False),
    ],
)
def test_hook_runs_when_python_or_pyproject_changes(path: str, runs: bool) -> None:
    pattern = _check_hook()["files"]
    assert isinstance(pattern, str)
    assert bool(re.search(pattern, path)) is runs


def test_entry_is_the_scaffold_console_script() -> None:
    entry = _check_hook()["entry"]
    assert isinstance(entry, str)
    script, *arguments = shlex.split(entry)
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert script in scripts
    module_name, _, attribute = scripts[script].partition(":")
    target = getattr(importlib.import_module(module_name), attribute)
    assert callable(target)
    assert arguments == ["check"]


def test_entry_command_exists() -> None:
    group = typer.main.get_command(app)
    assert "check" in getattr(group, "commands", {})
    from scaffold.cli import main

    assert main([*shlex.split(str(_check_hook()["entry"]))[1:], "--help"]) == 0


@pytest.mark.slow
def test_pre_commit_runs_the_hook_from_this_repository(tmp_path: Path) -> None:
    """`pre-commit try-repo` installs scaffold from this checkout and runs the hook."""
    if not (ROOT / ".git").exists():
        pytest.skip("try-repo needs scaffold's own git checkout")
    project = tmp_path / "proj"
    pkg = project / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text('"""Pkg."""\n\n__all__ = ["missing"]\n')
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", "init", "-q"], cwd=project, check=True, env=env)
    subprocess.run(["git", "add", "-A"], cwd=project, check=True, env=env)
    argv = [
        sys.executable,
        "-m",
        "pre_commit",
        "try-repo",
        str(ROOT),
        "scaffold-check",
        "--all-files",
    ]
    bad = subprocess.run(argv, cwd=project, capture_output=True, text=True, env=env, check=False)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "EXP001" in bad.stdout
    (pkg / "__init__.py").write_text('"""Pkg."""\n\n__all__: list[str] = []\n')
    subprocess.run(["git", "add", "-A"], cwd=project, check=True, env=env)
    good = subprocess.run(argv, cwd=project, capture_output=True, text=True, env=env, check=False)
    assert good.returncode == 0, good.stdout + good.stderr
