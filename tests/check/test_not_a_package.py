"""`import pkg.mod.x` where `pkg.mod` is a plain module: CPython refuses it ("No module named
'pkg.mod.x'; 'pkg.mod' is not a package") unless the module makes itself a package
(`__path__`, a module `__getattr__`) or puts the submodule in `sys.modules` (as `os` does
for `os.path`).

Each case runs in a fresh interpreter and through the check; an import the interpreter
runs must get no finding, one it refuses must get IMP006, except where the module's names
cannot be known (IMP006's documented exemptions).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scaffold.check import CheckOptions, run_check
from tests.check.check_support import check, cpython_import, write_tree

_EXTRA = (
    'import os\n\nEXTRA = [os.path.join(os.path.dirname(os.path.dirname(__file__)), "extra")]\n'
)
PACKAGE = {
    "pkg/__init__.py": "",
    "pkg/mod.py": "X = 1\n",
    # A plain module that puts its own submodule in sys.modules, as `os` does for `os.path`.
    "pkg/registers.py": 'import sys\n\nsys.modules["pkg.registers.x"] = sys\n',
    # Plain modules that make themselves packages.
    "pkg/has_path.py": _EXTRA + "__path__ = EXTRA\n",
    "pkg/has_getattr.py": _EXTRA
    + "\n\ndef __getattr__(name: str) -> object:\n"
    + '    if name == "__path__":\n        return EXTRA\n    raise AttributeError(name)\n',
    "extra/x.py": "Y = 1\n",
}

_NOT_A_PACKAGE = "no module named 'pkg.mod.x'; 'pkg.mod' is not a package"

# (statement in pkg/user.py, whether CPython imports it)
CASES = [
    ("import pkg.mod.x", False),
    ("import pkg.mod.x.y", False),
    ("import pkg.mod.x as x", False),
    ("from pkg.mod.x import y", False),
    ("from .mod.x import y", False),
    ("from . import mod\nimport pkg.mod.x", False),
    ("from pkg.mod import X", True),
    ("import pkg.registers.x", True),
    ("import pkg.has_path.x", True),
    ("import pkg.has_getattr.x", True),
    ("try:\n    import pkg.mod.x\nexcept ImportError:\n    pass", True),
]


def _cpython_imports(root: Path) -> bool:
    imported, failure = cpython_import(root)
    assert imported or failure.startswith("ModuleNotFoundError"), failure
    if not imported:
        assert "is not a package" in failure, failure
    return imported


@pytest.mark.parametrize(("statement", "imports"), CASES, ids=[c[0] for c in CASES])
def test_the_check_agrees_with_cpython_on_submodules_of_plain_modules(
    tmp_path: Path, statement: str, imports: bool
) -> None:
    root = write_tree(tmp_path, {**PACKAGE, "pkg/user.py": statement + "\n"})
    assert _cpython_imports(root) is imports
    errors = [
        f"{d.code} {d.path}:{d.line} {d.message}"
        for d in check(root).diagnostics
        if d.code == "IMP006"
    ]
    if imports:
        assert errors == []
    else:
        line = statement.count("\n") + 1
        assert errors == [f"IMP006 pkg/user.py:{line} {_NOT_A_PACKAGE}"]


def test_a_cached_check_follows_the_module_becoming_a_package_and_back(tmp_path: Path) -> None:
    # The finding depends on another file's facts (pkg/mod.py): an edit there alone must
    # change it in a cached run as in a fresh one.
    root = write_tree(tmp_path, {**PACKAGE, "pkg/user.py": "import pkg.mod.x\n"})
    mod = root / "pkg" / "mod.py"
    for step, text in enumerate(("X = 1\n", _EXTRA + "__path__ = EXTRA\n", "X = 2\n")):
        mod.write_text(text, encoding="utf-8")
        os.utime(mod, ns=(step * 10**9, step * 10**9))  # no two steps share an mtime
        options = CheckOptions(paths=(root,), select=("IMP006",), use_cache=True)
        cached = [d.message for d in run_check(options).diagnostics]
        fresh = [d.message for d in check(root).diagnostics if d.code == "IMP006"]
        assert cached == fresh == ([] if "__path__" in text else [_NOT_A_PACKAGE]), step
