"""Build scaffold's own wheel, install it into a fresh virtual environment and use it there:
the templates must ship inside the wheel, not only in a source checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False, env=env)
    assert proc.returncode == 0, f"{argv} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_wheel_installs_and_generates_a_working_package(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(REPO),
        ],
        tmp_path,
    )
    (wheel,) = dist.glob("scaffold-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bindir = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    _run([str(bindir / "python"), "-m", "pip", "install", "-q", str(wheel)], tmp_path)

    work = tmp_path / "work"
    work.mkdir()
    version = _run([str(bindir / "scaffold"), "--version"], work).stdout
    assert version.startswith("scaffold ")
    _run([str(bindir / "python"), "-m", "scaffold", "--help"], work)
    out = _run([str(bindir / "scaffold"), "new", "package", "demo", "--module", "core"], work)
    assert "Created package 'demo'" in out.stdout
    answers = (work / "demo" / ".copier-answers.yml").read_text()
    # The template came from inside the installed wheel, recorded as an absolute path.
    assert "site-packages" in answers and "_templates" in answers
    assert "All checks passed" in _run([str(bindir / "scaffold"), "check", "demo"], work).stdout
    _run([str(bindir / "scaffold"), "new", "module", "tool"], work)
    assert (work / "tool.py").is_file()

    # The generated project builds with this interpreter's hatchling and runs in the venv.
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(work / "demo"),
        ],
        tmp_path,
    )
    (demo_wheel,) = dist.glob("demo-*.whl")
    _run(
        [str(bindir / "python"), "-m", "pip", "install", "-q", "--no-deps", str(demo_wheel)],
        tmp_path,
    )
    assert "Hello, Ada" in _run([str(bindir / "demo"), "Ada"], work).stdout
    assert "usage:" in _run([str(bindir / "python"), "-m", "demo", "--help"], work).stdout
