"""Helpers for the check tests: fixture locations, running a check, building trees."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from scaffold.check import (
    CheckOptions,
    CheckReport,
    ModuleFacts,
    Severity,
    parse_source,
    run_check,
)
from scaffold.check.rules import RULES

FIXTURES = Path(__file__).parent / "fixtures"
DEFAULT = tuple(rule.code for rule in RULES if rule.severity is not Severity.OFF)


class CountingParser:
    """parse_source that records which contents it was asked to parse."""

    def __init__(self) -> None:
        self.parsed: list[bytes] = []

    def __call__(self, data: bytes | str, *, is_package: bool = False) -> ModuleFacts:
        self.parsed.append(data if isinstance(data, bytes) else data.encode())
        return parse_source(data, is_package=is_package)


def check(path: Path, *extra: str) -> CheckReport:
    """Run every default rule plus `extra` codes on `path`, without the cache: `path` is
    often a fixture in tests/, where nothing may be written (the cache has its own tests)."""
    return run_check(CheckOptions(paths=(path,), select=(*DEFAULT, *extra), use_cache=False))


def findings(report: CheckReport) -> list[str]:
    """`CODE path:line` for each diagnostic, sorted, like expected.txt."""
    return sorted(f"{d.code} {d.path}:{d.line}" for d in report.diagnostics)


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Create files from a {relative path: content} mapping under `root`."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def run_probe(root: Path, probe: str, modules: Sequence[str]) -> Any:
    """Run `probe` (Python source that prints JSON) with MODULES as arguments, in a fresh
    interpreter whose only path entry is `root`; its parsed output."""
    out = subprocess.run(
        [sys.executable, "-c", probe, *modules],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"},
    )
    return json.loads(out.stdout)


def cpython_import(root: Path, module: str = "pkg.user") -> tuple[bool, str]:
    """Import MODULE with the real interpreter from ROOT: whether it did, and the error line."""
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"},
    )
    return result.returncode == 0, result.stderr.strip().rpartition("\n")[2]
