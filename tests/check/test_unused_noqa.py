"""SUP001 unused-noqa (ruff's RUF100): which noqa comments silenced nothing, its fix, and the
same answer from a warm cache as from a fresh run."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from scaffold.check import CheckOptions, run_check
from scaffold.check.add_noqa import add_noqa
from scaffold.check.fix import run_fixes

from .check_support import write_tree

_SOURCE = """\
import os  # noqa: IMP009
import sys  # noqa
x = 1  # noqa: E501, F401, RUN001
print(os.sep, sys.platform)  # noqa: IMP009, IMP009
y = 2  # noqa: EXP999 because it was there
# noqa: IMP002
z = 3  # noqa: SUP001, IMP009
w = 4  # noqa: IMP009  # pylint: disable=invalid-name
"""


def _sup(root: Path, *select: str, cache: bool = False, cache_dir: Path | None = None) -> list[str]:
    options = CheckOptions(
        paths=(root,),
        select=select or None,
        extend_select=("SUP001",),
        use_cache=cache,
        cache_dir=cache_dir,
    )
    report = run_check(options)
    return [
        f"{d.path}:{d.line}:{d.column} {d.message}"
        for d in report.diagnostics
        if d.code == "SUP001"
    ]


def test_unused_duplicated_unknown_and_blanket_are_reported(tmp_path: Path) -> None:
    write_tree(tmp_path, {"mod.py": _SOURCE})
    assert _sup(tmp_path) == [
        "mod.py:1:12 unused `noqa` directive (unused: IMP009)",
        "mod.py:2:13 unused blanket `noqa` directive",
        "mod.py:4:30 unused `noqa` directive (duplicated: IMP009)",
        "mod.py:5:8 unused `noqa` directive (unknown: EXP999)",
        "mod.py:6:1 unused `noqa` directive (unused: IMP002)",
        "mod.py:8:8 unused `noqa` directive (unused: IMP009)",
    ]


def test_the_rule_is_off_by_default(tmp_path: Path) -> None:
    write_tree(tmp_path, {"mod.py": _SOURCE})
    report = run_check(CheckOptions(paths=(tmp_path,), use_cache=False))
    assert not [d for d in report.diagnostics if d.code == "SUP001"]


def test_codes_of_rules_that_did_not_run_are_not_unused(tmp_path: Path) -> None:
    # As ruff's "non-enabled" codes are no "unused" ones: a partial run cannot know.
    write_tree(tmp_path, {"mod.py": "import os  # noqa: IMP009, IMP002\n"})
    assert _sup(tmp_path, "EXP001") == []
    assert _sup(tmp_path, "IMP009") == ["mod.py:1:12 unused `noqa` directive (unused: IMP009)"]
    write_tree(
        tmp_path,
        {"pyproject.toml": '[project]\nname = "m"\n[tool.scaffold.check]\nignore = ["IMP009"]\n'},
    )
    assert _sup(tmp_path) == ["mod.py:1:12 unused `noqa` directive (unused: IMP002)"]


def test_a_code_silenced_by_per_file_ignores_is_redundant_as_in_ruff(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "m"\n[tool.scaffold.check.per-file-ignores]\n'
            '"mod.py" = ["IMP009"]\n',
            "mod.py": "print(1)  # noqa: IMP009\n",
        },
    )
    assert _sup(tmp_path) == ["mod.py:1:11 unused `noqa` directive (unused: IMP009)"]
    # SUP001 itself ignored for the file: nothing.
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "m"\n[tool.scaffold.check.per-file-ignores]\n'
        '"mod.py" = ["IMP009", "SUP001"]\n'
    )
    assert _sup(tmp_path) == []


def test_a_noqa_used_through_a_statement_or_an_alias_is_used(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "from pkg.core import (  # noqa: EXP006\n    helper,\n)\n"
            "from pkg.core import other  # noqa: F401\n__all__ = ['run']\nrun = 1\n",
            "pkg/core.py": "helper = other = 1\n",
            "s.py": 'text = "# noqa: IMP009"\nprint(text)  # noqa: IMP009\n',
        },
    )
    assert _sup(tmp_path, "ALL") == []


def test_only_named_files_are_judged(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": "import os  # noqa: IMP009\n", "b.py": "x = 1  # noqa\n"})
    assert _sup(tmp_path / "b.py") == ["b.py:1:8 unused blanket `noqa` directive"]


def test_the_fix_removes_what_is_unused_and_nothing_else(tmp_path: Path) -> None:
    write_tree(tmp_path, {"mod.py": _SOURCE})
    options = CheckOptions(paths=(tmp_path,), extend_select=("SUP001",), use_cache=False)
    result = run_fixes(options)
    assert (tmp_path / "mod.py").read_text() == (
        "import os\n"
        "import sys\n"
        "x = 1  # noqa: E501, F401, RUN001\n"
        "print(os.sep, sys.platform)  # noqa: IMP009\n"
        "y = 2\n"
        "z = 3  # noqa: SUP001, IMP009\n"
        "w = 4  # pylint: disable=invalid-name\n"
    )
    assert result.fixed == 6
    assert result.report is not None and result.report.diagnostics == ()
    # Idempotent: a second run changes nothing.
    assert run_fixes(options).files == []


def test_the_fix_uncovers_no_finding(tmp_path: Path) -> None:
    # Two comments silence one finding (its first and its last line): both are used.
    write_tree(
        tmp_path,
        {"mod.py": "print(  # noqa: IMP009\n    1,\n)  # noqa: IMP009\n"},
    )
    assert _sup(tmp_path) == []


def test_add_noqa_leaves_unused_noqa_findings_to_the_fix(tmp_path: Path) -> None:
    write_tree(tmp_path, {"mod.py": "import os  # noqa: IMP009\nprint(os)\n"})
    report = run_check(CheckOptions(paths=(tmp_path,), extend_select=("SUP001",), use_cache=False))
    assert {d.code for d in report.diagnostics} == {"SUP001", "IMP009"}
    add_noqa(report)
    assert (tmp_path / "mod.py").read_text() == (
        "import os  # noqa: IMP009\nprint(os)  # noqa: IMP009\n"
    )


def _edits(rng: random.Random) -> list[str]:
    """Versions of one file that change only noqa comments and their columns: edits that
    leave every other fact as it was, so the cache keeps its stored report when it can."""
    lines = ["import os", "print(os.sep)", "x = [", "    1,", "]", "y = 2"]
    comments = [
        "",
        "  # noqa",
        "  # noqa: IMP009",
        "  # noqa: IMP009, IMP009",
        "  # noqa: E501",
        "  # x # noqa: IMP002",
        "    # noqa: IMP009",
    ]
    versions = []
    for _ in range(12):
        versions.append(
            "\n".join(line + rng.choice(comments) if line != "    1," else line for line in lines)
            + "\n"
        )
    return versions


@pytest.mark.parametrize("seed", range(4))
def test_a_warm_run_gives_the_answer_of_a_fresh_one(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    root = tmp_path / "proj"
    cache = tmp_path / "cache"
    for version in _edits(rng):
        write_tree(root, {"mod.py": version, "pkg/__init__.py": version})
        fresh = _sup(root)
        cold_then_warm = [_sup(root, cache=True, cache_dir=cache) for _ in range(2)]
        assert cold_then_warm == [fresh, fresh], version


def test_a_warm_run_with_the_rule_selected_later_gives_the_fresh_answer(tmp_path: Path) -> None:
    write_tree(tmp_path, {"mod.py": "import os  # noqa: IMP009\n"})
    run_check(CheckOptions(paths=(tmp_path,), cache_dir=tmp_path / "c"))  # rule not selected
    assert _sup(tmp_path, cache=True, cache_dir=tmp_path / "c") == _sup(tmp_path)


def test_the_command_line_reports_and_fixes(tmp_path: Path) -> None:
    write_tree(tmp_path, {"mod.py": "import os  # noqa: IMP009\n"})
    command = [sys.executable, "-m", "scaffold", "check", ".", "--extend-select", "SUP001"]
    shown = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert shown.returncode == 1
    assert "mod.py:1:12: SUP001 [*] unused `noqa` directive (unused: IMP009)" in shown.stdout
    fixed = subprocess.run([*command, "--fix"], cwd=tmp_path, capture_output=True, text=True)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert (tmp_path / "mod.py").read_text() == "import os\n"


def test_a_noqa_on_one_import_of_a_cycle_is_used(tmp_path: Path) -> None:
    # IMP002 reads these comments itself: the cycle moves to the loop's next import.
    write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/a.py": "from app import b  # noqa: IMP002\n",
            "app/b.py": "from app import a\n",
        },
    )
    report = run_check(CheckOptions(paths=(tmp_path,), extend_select=("SUP001",), use_cache=False))
    assert [(d.code, d.path) for d in report.diagnostics] == [("IMP002", "app/b.py")]
    (tmp_path / "app/b.py").write_text("from app import a  # noqa: IMP002\n")
    assert _sup(tmp_path) == []
    assert _sup(tmp_path, "EXP001") == []  # IMP002 not run: nothing judged
