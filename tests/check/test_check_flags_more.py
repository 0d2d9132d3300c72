"""ruff's habits, continued (issue 14): unknown noqa codes warned on stderr."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from scaffold.cli import main

Tree = Callable[[Mapping[str, str | bytes]], Path]

# EXP001 on line 4; the noqa comment names a typo'd code, another tool's and a ruff alias.
FILES = {
    "pkg/__init__.py": (
        '"""Pkg."""\n\nimport os  # noqa: EXP999, E501, F401, IMP01\n__all__ = ["missing"]\n'
    ),
}


@pytest.fixture
def project(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tree(FILES)
    monkeypatch.chdir(root)
    return root


def test_unknown_noqa_codes_are_warned_on_stderr_with_the_nearest_code(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", "--no-cache", ".", "--format", "json"])
    captured = capsys.readouterr()
    assert code == 1
    assert [d["code"] for d in json.loads(captured.out)["diagnostics"]] == ["EXP001"]
    assert captured.err.splitlines() == [
        "warning: Unknown rule code in a noqa comment at pkg/__init__.py:3: EXP999"
        " (did you mean EXP007?)",
        "warning: Unknown rule code in a noqa comment at pkg/__init__.py:3: IMP01"
        " (did you mean IMP001?)",
    ]


def test_quiet_and_silent_drop_the_warning(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for flag in ("-q", "-s"):
        main(["check", "--no-cache", flag, "."])
        assert "warning" not in capsys.readouterr().err


def test_the_warning_names_the_path_from_the_current_folder(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project / "pkg")
    main(["check", "--no-cache", "."])
    assert "at __init__.py:3: EXP999" in capsys.readouterr().err


def test_with_the_cache_a_file_is_warned_about_when_it_is_read(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["check", "."])
    assert "EXP999" in capsys.readouterr().err
    main(["check", "."])  # unchanged, from the cache: not again, as ruff
    assert "EXP999" not in capsys.readouterr().err
    init = project / "pkg/__init__.py"
    init.write_text(init.read_text() + "# changed\n")
    main(["check", "."])
    assert "EXP999" in capsys.readouterr().err
