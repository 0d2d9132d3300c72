"""The fixture trees of issue 13's classes, run by the real interpreter: what each bad tree
claims fails really fails, and what each good tree claims works really works."""

from __future__ import annotations

from pathlib import Path

import pytest

from .check_support import FIXTURES, run_probe

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


def test_every_confirmed_folder_exists() -> None:
    assert all(Path(FIXTURES / folder / "expected.txt").is_file() for folder in CONFIRMED)
