"""The fixture trees of issue 13's classes, run by the real interpreter: what each bad tree
claims fails really fails, and what each good tree claims works really works."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffold.check.rules.layout.stdlib_shadow import STARTUP_MODULES

from .check_support import FIXTURES, check, findings, run_probe, write_tree

# Runs each statement in its own fresh interpreter; prints, per statement, the last line of
# what it raised (null when it ran).
PROBE = """
import json, subprocess, sys
results = {}
for statement in sys.argv[1:]:
    done = subprocess.run([sys.executable, "-c", statement], capture_output=True, text=True)
    lines = done.stderr.strip().splitlines()
    results[statement] = (lines[-1] if lines else "exit") if done.returncode else None
print(json.dumps(results))
"""

# fixture folder -> {statement: how its last error line starts, or None when it runs}
CONFIRMED: dict[str, dict[str, str | None]] = {
    "IMP005/bad": {
        "import pkg.mod": "ImportError: attempted relative import beyond top-level package",
        "import ns.sub.d": "ImportError: attempted relative import beyond top-level package",
        "import toplevel": "ImportError: attempted relative import with no known parent",
    },
    "IMP005/good": {
        # PEP 420 all the way: no __init__.py, and the relative import works.
        "import ns.sub.d": None,
        # The relative import climbs too far, and its `except ImportError:` takes over.
        "import pkg.compat": None,
        "import pkg.sub.mod": None,
    },
    # Item 4: `__all__` forms that work at run time are read; those that raise are EXP002.
    "EXP001/bad": {
        "from pkg.copied import *": "AttributeError: module 'pkg.copied' has no attribute 'zz'",
        # Item 9: a mention of globals( in a comment, a string or an uncalled function.
        "from pkg.mentions import *": "AttributeError: module 'pkg.mentions' has no attribute",
    },
    "EXP001/good": {
        "from pkg.filled import *; made, filled": None,
    },
    "EXP002/bad": {
        "from mixed import *": 'TypeError: can only concatenate list (not "tuple") to list',
        "from unbound import *": "NameError: name '__all__' is not defined",
        "from string_all import *": "AttributeError: module 'string_all' has no attribute 'f'",
    },
    "EXP002/good": {
        "from pkg.copies import *; a, b, c, d, visible": None,
        "from pkg.prefixed import *; e, visible": None,
        "import pkg.tupled, pkg.aliased": None,
    },
    # Item 5: `bees` exists on the package only through the aliased import; no star brings it.
    "EXP006/bad": {
        "import pkg; pkg.bees.VALUE": None,
        "from pkg import *; bees": "NameError: name 'bees' is not defined",
    },
    "EXP006/good": {
        "import pkg; pkg.plain, pkg.save": None,
    },
    # Items 11 and 14: a version check the running Python takes, a fallback that fails too,
    # a module `__getattr__` defined after the loop, a function called at import time, a
    # star import of a module still initialising; each good tree the same shape that works.
    "IMP003/flow-bad": {
        "import versioned.a": "ImportError: cannot import name 'A' from partially initialized",
        "import versioned.b": "ImportError: cannot import name 'B' from partially initialized",
        "import fallback.a": "ImportError: cannot import name 'A' from partially initialized",
        "import fallback.b": "ImportError: cannot import name 'A' from partially initialized",
        "import fallback.c": "ImportError: cannot import name 'B' from partially initialized",
        "import lazy": "ImportError: cannot import name 'Thing' from partially initialized",
        "import called.a": "ImportError: cannot import name 'A' from partially initialized",
        "import called.b": "ImportError: cannot import name 'B' from partially initialized",
        "import starred.a": "NameError: name 'A' is not defined",
        "import starred.b": None,
    },
    "IMP003/flow-good": {
        "import versioned.a": None,
        "import versioned.b": None,
        "import fallback.a": None,
        "import fallback.b; assert fallback.a.B is None": None,
        "import lazy; assert lazy.user.TWICE == 2": None,
        "import called.a; called.a.load()": None,
        "import called.b": None,
        "import starred.a": None,
        "import starred.b": None,
    },
    # PKG003: a name `import` cannot spell, and the same names loaded by importlib.
    "PKG003/bad": {
        "import pkg.is": "SyntaxError: invalid syntax",
    },
    "PKG003/good": {
        "import plugins; assert plugins.load('my-plugin').NAME == 'mine'": None,
        "import tables; assert tables.load().ROWS == 2": None,
    },
    # Item 6: what a local file really shadows (the folder is first on sys.path for -c).
    "PKG002/bad": {
        "import random; assert 'fixtures' not in random.__file__": "AssertionError",
        "import urllib; assert 'fixtures' not in urllib.__file__": "AssertionError",
    },
    "PKG002/good": {
        "import _abc; assert not hasattr(_abc, '__file__')": None,
        "import stat; assert 'fixtures' not in stat.__file__": None,
    },
}

CASES = [
    (folder, statement, expected)
    for folder, statements in CONFIRMED.items()
    for statement, expected in statements.items()
]


@pytest.fixture(scope="module")
def outcomes() -> dict[str, dict[str, str | None]]:
    """Every statement of CONFIRMED, run once per fixture folder."""
    return {folder: run_probe(FIXTURES / folder, PROBE, list(s)) for folder, s in CONFIRMED.items()}


@pytest.mark.parametrize(("folder", "statement", "expected"), CASES)
def test_fixture_behaves_as_claimed_in_the_interpreter(
    outcomes: dict[str, dict[str, str | None]],
    folder: str,
    statement: str,
    expected: str | None,
) -> None:
    got = outcomes[folder][statement]
    if expected is None:
        assert got is None, got
    else:
        assert got is not None and got.startswith(expected), got


def test_startup_modules_are_imported_before_the_path_is_read(tmp_path: Path) -> None:
    # A fresh interpreter: what it has imported before the first line of user code runs.
    started = run_probe(tmp_path, "import json, sys; print(json.dumps(sorted(sys.modules)))", [])
    assert set(started) >= STARTUP_MODULES


def test_every_confirmed_folder_exists() -> None:
    assert all(Path(FIXTURES / folder / "expected.txt").is_file() for folder in CONFIRMED)


def test_noqa_on_the_first_line_covers_a_multi_line_statement(tmp_path: Path) -> None:
    # Item 7: as ruff users write it, the comment on the line that opens `__all__`.
    source = '"""M."""\n\na = 1\n__all__ = [  # noqa: EXP001\n    "a",\n    "gone",\n]\n'
    write_tree(tmp_path, {"m.py": source, "n.py": source.replace("  # noqa: EXP001", "")})
    assert findings(check(tmp_path)) == ["EXP001 n.py:6"]


def test_noqa_text_inside_a_string_silences_nothing(tmp_path: Path) -> None:
    source = '"""M."""\n\n__all__ = ["gone", "# noqa"]\n'
    write_tree(tmp_path, {"m.py": source})
    assert findings(check(tmp_path)) == ["EXP001 m.py:3", "EXP001 m.py:3"]


def test_one_noqa_silences_its_own_line_of_a_cycle_only(tmp_path: Path) -> None:
    # Item 12: a bare noqa left for flake8 on the import IMP002 reports.
    files = {
        "p/__init__.py": "",
        "p/a.py": "import p.b  # noqa\n",
        "p/b.py": "import p.a\n",
    }
    write_tree(tmp_path, files)
    assert findings(check(tmp_path)) == ["IMP002 p/b.py:1"]
    write_tree(tmp_path, {"p/b.py": "import p.a  # noqa: IMP002\n"})
    assert findings(check(tmp_path)) == []
