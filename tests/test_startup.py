"""`scaffold --help` and everything but generation must not import copier or jinja2."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("copier", "jinja2", "pydantic")


def _imported_modules(*args: str) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "scaffold", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("--version",),
        ("new", "--help"),
        ("new", "package", "--help"),
        ("new", "team-service", "--help"),
        ("templates", "list"),
        ("update", "--help"),
    ],
)
def test_no_heavy_imports(args: tuple[str, ...]) -> None:
    imported = _imported_modules(*args)
    assert "scaffold" in imported
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))
