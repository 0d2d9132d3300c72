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
    new_package = [str(bindir / "scaffold"), "new", "package", "demo", "--module", "core"]
    out = run_ok(
        [*new_package, "--layout", "src", "--repository", "https://github.com/a/demo"], work
    )
    assert "Created package 'demo'" in out.stdout
    answers = (work / "demo" / ".copier-answers.yml").read_text()
    # The template came from inside the installed wheel, recorded as an absolute path.
    assert "site-packages" in answers and "_templates" in answers
    assert "All checks passed" in run_ok([str(bindir / "scaffold"), "check", "demo"], work).stdout
    run_ok([str(bindir / "scaffold"), "new", "module", "tool"], work)
    assert (work / "tool.py").is_file()
    # pip byte-compiled the templates' .py files in site-packages; none reaches a project.
    run_ok([str(bindir / "scaffold"), "new", "game", "pong"], work)
    run_ok([str(bindir / "scaffold"), "new", "workspace", "ws", "-p", "core", "-p", "api"], work)
    assert not [p for p in work.rglob("*") if p.name == "__pycache__" or p.suffix == ".pyc"]
    # Every project template ships its team files from inside the wheel too.
    for project in ("demo", "pong", "ws"):
        for team_file in (".github/workflows/ci.yml", ".pre-commit-config.yaml"):
            assert (work / project / team_file).is_file(), (project, team_file)
    assert "All checks passed" in run_ok([str(bindir / "scaffold"), "check", "ws"], work).stdout

    # The generated project builds with this interpreter's hatchling and runs in the venv.
    demo_wheel = build_wheel(work / "demo", dist)
    run_ok(
        [str(bindir / "python"), "-m", "pip", "install", "-q", "--no-deps", str(demo_wheel)],
        tmp_path,
    )
    assert "Hello, Ada" in run_ok([str(bindir / "demo"), "Ada"], work).stdout
    assert "usage:" in run_ok([str(bindir / "python"), "-m", "demo", "--help"], work).stdout
    # Its tests run against that installed package: the src layout is on no path.
    run_ok([str(bindir / "python"), "-m", "pip", "install", "-q", "pytest"], tmp_path)
    tests = run_ok(
        [str(bindir / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"], work / "demo"
    )
    assert " passed" in tests.stdout
    imported = [str(bindir / "python"), "-c", "import demo; print(demo.__file__)"]
    assert "site-packages" in run_ok(imported, work / "demo").stdout
