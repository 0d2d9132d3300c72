"""`scaffold check`, `scaffold rules`, `scaffold rule CODE` through the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from scaffold.check.output import FORMATS
from scaffold.check.rules import RULES
from scaffold.cli import main

from .check_support import FIXTURES

Tree = Callable[[Mapping[str, str | bytes]], Path]
PROJECT = Path(__file__).resolve().parents[2]


def test_clean_tree_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(FIXTURES / "silent" / "main-guard"), "--no-cache"]) == 0
    assert "All checks passed" in capsys.readouterr().out


def test_findings_exit_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(FIXTURES / "EXP001")
    assert main(["check", "bad", "--no-cache"]) == 1
    out = capsys.readouterr().out
    assert "bad/pkg/draw.py:3:25: EXP001 'draw_score' is listed in __all__ but not defined" in out
    assert out.rstrip().splitlines()[-1].startswith("Found 7 findings (7 errors")


def test_exit_zero_and_statistics(capsys: pytest.CaptureFixture[str]) -> None:
    bad = str(FIXTURES / "EXP001" / "bad")
    assert main(["check", bad, "--exit-zero", "--statistics", "--no-cache"]) == 0
    assert capsys.readouterr().out.splitlines()[0].split() == ["7", "EXP001", "undefined-export"]


def test_select_and_ignore_options(capsys: pytest.CaptureFixture[str]) -> None:
    bad = str(FIXTURES / "IMP003" / "bad")
    assert main(["check", bad, "--select", "IMP002", "--format", "json", "--no-cache"]) == 1
    codes = {d["code"] for d in json.loads(capsys.readouterr().out)["diagnostics"]}
    assert codes == {"IMP002"}
    assert main(["check", bad, "--ignore", "IMP", "--no-cache"]) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "/no/such/path"], "path does not exist"),
        (["check", ".", "--select", "XYZ9"], "unknown rule code or prefix 'XYZ9'"),
        (["check", ".", "--format", "xml"], "unknown --format 'xml'"),
        (["rule", "NOPE01"], "unknown rule code or name 'NOPE01'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_unknown_format_lists_the_registered_formats(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", ".", "--format", "xml"]) == 2
    assert f"(choose one of: {', '.join(FORMATS)})" in capsys.readouterr().err


def test_unknown_option_exits_2() -> None:
    assert main(["check", "--no-such-option"]) == 2


def test_rules_lists_every_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(RULES) and lines[0].startswith("EXP001  undefined-export")


def test_rule_explains_with_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "imp004"]) == 0
    out = capsys.readouterr().out
    for section in ("What it does", "Why is this bad?", "Example", "Use instead"):
        assert section in out
    assert "from draw import draw_game" in out


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_python_m_scaffold_check_github_format() -> None:
    result = _run(
        ["-m", "scaffold", "check", "bad", "--format", "github", "--no-cache"], FIXTURES / "IMP004"
    )
    assert result.returncode == 1
    assert result.stdout.startswith("::error file=bad/mygame/game.py,line=3,col=1,")


def test_check_imports_neither_copier_jinja2_nor_pydantic(tmp_path: Path) -> None:
    fixture = str(FIXTURES / "EXP001" / "good")
    result = _run(
        ["-X", "importtime", "-m", "scaffold", "check", fixture, "--cache-dir", str(tmp_path)],
        PROJECT,
    )
    assert result.returncode == 0, result.stderr
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines()}
    assert not imported & {"copier", "jinja2", "pydantic"}
