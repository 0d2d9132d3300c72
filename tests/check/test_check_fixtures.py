"""Data-driven rule tests: each fixture tree's findings must equal its expected.txt exactly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scaffold.check import CheckOptions
from scaffold.check.rules import RULES, get_rule
from scaffold.check.runtime import run_import_check

from .check_support import FIXTURES, check, findings

CASES = sorted(p.parent for p in FIXTURES.rglob("expected.txt"))


def _id(folder: Path) -> str:
    return folder.relative_to(FIXTURES).as_posix()


@pytest.mark.parametrize("folder", CASES, ids=_id)
def test_fixture_findings_match_expected(folder: Path, tmp_path: Path) -> None:
    code = folder.parent.name
    extra = (code,) if get_rule(code) is not None else ()
    expected = sorted(
        line.strip()
        for line in (folder / "expected.txt").read_text(encoding="utf-8").splitlines()
        if line.strip()
    )
    report = check(folder, *extra)
    if code.startswith("RUN"):  # runtime rules need the opt-in that runs the code
        # Running it writes bytecode beside the modules: run a copy, never tests/.
        copy = shutil.copytree(folder, tmp_path / folder.name)
        report = run_import_check(CheckOptions(paths=(copy,), use_cache=False), check(copy, *extra))
    assert findings(report) == expected


@pytest.mark.parametrize("code", [rule.code for rule in RULES])
def test_every_rule_has_a_bad_and_a_good_fixture(code: str) -> None:
    bad = FIXTURES / code / "bad"
    good = FIXTURES / code / "good"
    assert (bad / "expected.txt").is_file() and (good / "expected.txt").is_file()
    expected_bad = (bad / "expected.txt").read_text(encoding="utf-8")
    assert any(line.startswith(code + " ") for line in expected_bad.splitlines())
    expected_good = (good / "expected.txt").read_text(encoding="utf-8")
    assert not any(line.startswith(code + " ") for line in expected_good.splitlines())


def test_silent_patterns_report_nothing() -> None:
    silent = sorted((FIXTURES / "silent").iterdir())
    assert len(silent) >= 10
    for folder in silent:
        assert findings(check(folder)) == [], folder.name
