"""Lines are numbered as Python numbers them: a form feed, a vertical tab, U+2028 or U+0085
in a file is not a line break for the tokenizer, so noqa comments and fixes below one still
land on the right line."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from scaffold.check import CheckOptions
from scaffold.check.fix import run_fixes
from scaffold.edit import source_lines

from .check_support import check, findings

Tree = Callable[[Mapping[str, str | bytes]], Path]

# Characters str.splitlines breaks at but the tokenizer does not (allowed in comments and
# strings, and a form feed alone on a line is how GNU-style sources separate pages).
ODD = ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("odd", ODD)
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_each_statement_is_on_the_line_ast_gives_it(odd: str, newline: str) -> None:
    source = newline.join(
        ["a = 1", f"# page {odd} break", "\x0c", f"b = '{odd}'", f"c = 2  # {odd}", "d = 3", ""]
    )
    lines = source_lines(source)
    for statement in ast.parse(source).body:
        assert isinstance(statement, ast.Assign)
        name = statement.targets[0]
        assert isinstance(name, ast.Name)
        assert lines[statement.lineno - 1].startswith(f"{name.id} = ")
    assert "".join(source_lines(source, keepends=True)) == source


def test_the_interpreter_counts_a_form_feed_line_as_one_line(tmp_path: Path) -> None:
    # What the tests above assume, asked of CPython itself: the traceback's line number.
    (tmp_path / "paged.py").write_text("a = 1\n\x0c\nb = 2 # \u2028\nraise SystemExit(1 / 0)\n")
    done = subprocess.run(
        [sys.executable, str(tmp_path / "paged.py")], capture_output=True, text=True, check=False
    )
    assert 'paged.py", line 4' in done.stderr
    assert source_lines((tmp_path / "paged.py").read_text())[3].startswith("raise")


def test_a_noqa_below_a_form_feed_suppresses_its_line(tree: Tree) -> None:
    root = tree(
        {
            "pkg/__init__.py": '"""Doc."""\n\x0c\nfrom .mod import x  # noqa: EXP006\n'
            'from .mod import y\n__all__ = ["a"]\na = 1\n',
            "pkg/mod.py": "x = y = 1\n",
        }
    )
    assert findings(check(root)) == ["EXP006 pkg/__init__.py:4"]


def test_a_fix_below_a_form_feed_edits_the_right_line(tree: Tree) -> None:
    root = tree({"pkg/__init__.py": '"""Doc."""\n\x0c\n__all__ = ["a", "a"]\na = 1\n'})
    fixed = run_fixes(CheckOptions(paths=(root,), select=("EXP003",)), unsafe=False, write=True)
    assert fixed.fixed == 1
    assert (root / "pkg/__init__.py").read_text() == '"""Doc."""\n\x0c\n__all__ = ["a"]\na = 1\n'


def test_an_entry_point_below_a_line_separator_in_a_toml_comment_is_found(tree: Tree) -> None:
    # TOML allows U+2028 in a comment and, like Python, does not end a line there.
    root = tree(
        {
            "pyproject.toml": '[project]\nname = "pkg"  # \u2028 who\n\n'
            '[project.scripts]\npkg = "pkg.nope:main"\n',
            "pkg/__init__.py": "",
        }
    )
    assert findings(check(root)) == ["ENT001 pyproject.toml:5"]
