"""`--baseline FILE` and `--update-baseline`: old findings stay hidden through edits and
moves, new ones surface, and the file is sorted JSON that diffs well."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

import jsonschema
import pytest

from scaffold.check.output.json import report_schema
from scaffold.cli import main

Tree = Callable[[Mapping[str, str | bytes]], Path]

BEFORE = {
    "pkg/__init__.py": '"""Pkg."""\n\n__all__ = ["missing", "gone"]\n',
    "pkg/side.py": '"""Side."""\n\nprint("loaded")\n',
}


def _check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(["check", "--no-cache", "pkg", "--output-format", "json", *args])
    out = json.loads(capsys.readouterr().out)
    jsonschema.validate(out, json.loads(report_schema()))
    return code, [f"{d['code']} {d['path']}:{d['line']} {d['message']}" for d in out["diagnostics"]]


@pytest.fixture
def project(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tree(BEFORE)
    (root / ".git").mkdir()  # the source root paths and fingerprints count from
    monkeypatch.chdir(root)
    return root


def test_a_missing_baseline_is_written_and_hides_what_it_records(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _check(capsys, "--baseline", "baseline.json") == (0, [])
    document = json.loads((project / "baseline.json").read_text(encoding="utf-8"))
    assert document["version"] == 1
    entries = document["findings"]
    assert [(e["code"], e["path"]) for e in entries] == [
        ("EXP001", "pkg/__init__.py"),
        ("EXP001", "pkg/__init__.py"),
        ("IMP009", "pkg/side.py"),
    ]
    assert entries == sorted(entries, key=lambda e: (e["path"], e["code"], e["message"]))
    assert all(list(e) == sorted(e) for e in entries)  # keys sorted: stable diffs
    assert _check(capsys, "--baseline", "baseline.json") == (0, [])


def test_moving_code_and_unrelated_edits_do_not_resurface_old_findings(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _check(capsys, "--baseline", "baseline.json")
    (project / "pkg/__init__.py").write_text(
        '"""Pkg, reworded."""\n\nimport os\n\n\n__all__ = ["missing",   "gone"]\nX = os.sep\n'
    )
    (project / "pkg/side.py").write_text('"""Side."""\n\nA = 1\n\n\n\nprint("loaded")\nB = 2\n')
    assert _check(capsys, "--baseline", "baseline.json") == (0, [])


def test_a_new_finding_of_the_same_code_in_the_same_file_surfaces(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _check(capsys, "--baseline", "baseline.json")
    (project / "pkg/__init__.py").write_text(
        '"""Pkg."""\n\n__all__ = ["missing", "gone", "absent"]\n'
    )
    (project / "pkg/side.py").write_text('"""Side."""\n\nprint("loaded")\nprint("loaded")\n')
    code, found = _check(capsys, "--baseline", "baseline.json")
    assert code == 1
    assert found == [
        "EXP001 pkg/__init__.py:3 'absent' is listed in __all__ but not defined",
        "IMP009 pkg/side.py:4 `print(...)` writes output at import time",
    ]


def test_update_baseline_rewrites_it(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _check(capsys, "--baseline", "baseline.json")
    (project / "pkg/side.py").write_text('"""Side."""\n')
    assert _check(capsys, "--baseline", "baseline.json", "--update-baseline") == (0, [])
    document = json.loads((project / "baseline.json").read_text(encoding="utf-8"))
    assert [e["code"] for e in document["findings"]] == ["EXP001", "EXP001"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not a baseline file"),
        ('{"version": 2, "findings": []}', "is not a version 1 baseline file"),
        ('{"version": 1, "findings": [{"code": "X"}]}', "is not a version 1 baseline file"),
    ],
)
def test_a_bad_baseline_is_refused_in_one_line(
    project: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    (project / "baseline.json").write_text(content)
    assert main(["check", "--no-cache", "pkg", "--baseline", "baseline.json"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_update_baseline_needs_a_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--no-cache", "pkg", "--update-baseline"]) == 2
    assert "--update-baseline needs --baseline FILE" in capsys.readouterr().err
