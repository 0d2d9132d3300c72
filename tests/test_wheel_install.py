"""Build scaffold's own wheel, install it into a fresh virtual environment and use it there:
the templates must ship inside the wheel, not only in a source checkout."""

from __future__ import annotations

import sys
import venv
from pathlib import Path

import pytest

from tests.conftest import build_wheel, run_ok

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]


def test_wheel_installs_and_generates_a_working_package(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    wheel = build_wheel(REPO, dist)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bindir = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    run_ok([str(bindir / "python"), "-m", "pip", "install", "-q", str(wheel)], tmp_path)

    work = tmp_path / "work"
    work.mkdir()
    version = run_ok([str(bindir / "scaffold"), "--version"], work).stdout
    assert version.startswith("scaffold ")
    run_ok([str(bindir / "python"), "-m", "scaffold", "--help"], work)
    out = run_ok([str(bindir / "scaffold"), "new", "package", "demo", "--module", "core"], work)
    assert "Created package 'demo'" in out.stdout
    answers = (work / "demo" / ".copier-answers.yml").read_text()
    # The template came from inside the installed wheel, recorded as an absolute path.
    assert "site-packages" in answers and "_templates" in answers
    assert "All checks passed" in run_ok([str(bindir / "scaffold"), "check", "demo"], work).stdout
    run_ok([str(bindir / "scaffold"), "new", "module", "tool"], work)
    assert (work / "tool.py").is_file()
    # pip byte-compiled the templates' .py files in site-packages; none reaches a project.
    run_ok([str(bindir / "scaffold"), "new", "game", "pong"], work)
    assert not [p for p in work.rglob("*") if p.name == "__pycache__" or p.suffix == ".pyc"]

    # The generated project builds with this interpreter's hatchling and runs in the venv.
    demo_wheel = build_wheel(work / "demo", dist)
    run_ok(
        [str(bindir / "python"), "-m", "pip", "install", "-q", "--no-deps", str(demo_wheel)],
        tmp_path,
    )
    assert "Hello, Ada" in run_ok([str(bindir / "demo"), "Ada"], work).stdout
    assert "usage:" in run_ok([str(bindir / "python"), "-m", "demo", "--help"], work).stdout
