"""`pkg.__init__` is a module of its own: CPython imports a package's `__init__.py` again
under that name (statsmodels/api.py does `from .__init__ import test`).

Each case runs in a fresh interpreter and through the check; an import the interpreter
runs must get no finding, one it refuses must get one.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.check.check_support import check, cpython_import, write_tree

# The package: `test` is bound by `__init__.py`, `sub` is a submodule it never imports.
PACKAGE = {
    "pkg/__init__.py": "from . import sibling\n\n\ndef test():\n    pass\n",
    "pkg/sibling.py": "X = 1\n",
    "pkg/sub.py": "Y = 1\n",
}

# (statement in pkg/user.py, whether CPython imports it)
CASES = [
    ("from .__init__ import test", True),
    ("from pkg.__init__ import test", True),
    ("import pkg.__init__", True),
    ("import pkg.__init__ as init", True),
    ("from pkg import __init__", True),
    ("from . import __init__", True),
    ("from .__init__ import sibling", True),  # bound by `__init__.py` itself
    ("from .__init__ import missing", False),
    ("from .__init__ import sub", False),  # `pkg.__init__` is no package: no submodules
    ("import pkg.__init__.sibling", False),
    ("from pkg.__init__.sibling import X", False),
]


def _cpython_imports(root: Path) -> bool:
    imported, failure = cpython_import(root)
    assert imported or failure.startswith(("ImportError", "ModuleNotFoundError")), failure
    return imported


@pytest.mark.parametrize(("statement", "imports"), CASES, ids=[c[0] for c in CASES])
def test_the_check_agrees_with_cpython_on_init_modules(
    tmp_path: Path, statement: str, imports: bool
) -> None:
    root = write_tree(tmp_path, {**PACKAGE, "pkg/user.py": statement + "\n"})
    assert _cpython_imports(root) is imports
    errors = [
        f"{d.code} {d.path}:{d.line} {d.message}"
        for d in check(root).diagnostics
        if d.code.startswith("IMP")
    ]
    if imports:
        assert errors == []
    else:
        assert [e.split()[:2] for e in errors] == [["IMP006", "pkg/user.py:1"]], errors


def test_init_module_imported_while_its_package_initialises(tmp_path: Path) -> None:
    # `import pkg` runs api.py from `__init__.py`; api.py imports `pkg.__init__`, which runs
    # `__init__.py` afresh (its star import of the half-run api brings nothing) and binds
    # `test` even though the package itself has not reached it yet.
    root = write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "from .api import *\n\n\ndef test():\n    return 1\n",
            "pkg/api.py": "from .__init__ import test\n\nVALUE = test()\n",
        },
    )
    result = subprocess.run(
        [sys.executable, "-c", "import pkg; print(pkg.VALUE)"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert result.stdout.strip() == "1", result.stderr
    codes = {d.code for d in check(root).diagnostics}
    assert not codes & {"IMP003", "IMP005", "IMP006"}, codes


def test_a_real_module_named_init_wins(tmp_path: Path) -> None:
    # A folder `pkg/__init__/` with its own `__init__.py` is found before the file.
    root = write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/__init__/__init__.py": "INNER = 1\n",
            "pkg/user.py": "from pkg.__init__ import INNER\n",
        },
    )
    assert _cpython_imports(root)
    assert [d.code for d in check(root).diagnostics if d.code.startswith("IMP")] == []
