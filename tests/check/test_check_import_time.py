"""IMP003 against the real interpreter: the simulation must agree with what Python does."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from .check_support import FIXTURES, check

Tree = Callable[[Mapping[str, str | bytes]], Path]


def _imports_fail(root: Path, module: str) -> str | None:
    """Import `module` in a fresh interpreter with `root` first on sys.path."""
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"},
    )
    if result.returncode == 0:
        return None
    return result.stderr.strip().splitlines()[-1]


def _imp003(root: Path) -> list[str]:
    return sorted(f"{d.path}:{d.line}" for d in check(root).diagnostics if d.code == "IMP003")


@pytest.mark.parametrize(
    ("module", "error"),
    [("pkg.a", "ImportError"), ("pkg.b", "ImportError"), ("shapes", "AttributeError")],
)
def test_bad_fixture_really_fails(module: str, error: str) -> None:
    failure = _imports_fail(FIXTURES / "IMP003" / "bad", module)
    assert failure is not None and failure.startswith(error)


@pytest.mark.parametrize("module", ["pkg.a", "pkg.b", "late", "late.worker"])
def test_good_fixture_really_imports(module: str) -> None:
    assert _imports_fail(FIXTURES / "IMP003" / "good", module) is None


D = '"""Module."""\n'

# (files, modules to import for real); the checker must report IMP003 exactly when one fails.
SCENARIOS: dict[str, tuple[dict[str, str], list[str]]] = {
    "init-imports-child-that-reads-parent-name-too-early": (
        {
            "p/__init__.py": D + "from p.child import f\nNAME = 1\n",
            "p/child.py": D + "from p import NAME\n\ndef f() -> int:\n    return NAME\n",
        },
        ["p", "p.child"],
    ),
    "init-binds-name-before-importing-child": (
        {
            "p/__init__.py": D + "NAME = 1\nfrom p.child import f  # noqa: E402\n",
            "p/child.py": D + "from p import NAME\n\ndef f() -> int:\n    return NAME\n",
        },
        ["p", "p.child"],
    ),
    "module-attribute-of-initialising-sibling": (
        {
            "p/__init__.py": D,
            "p/a.py": D + "import p.b\nX = 1\n",
            "p/b.py": D + "import p.a\nY = p.a.X\n",
        },
        ["p.a", "p.b"],
    ),
    "own-package-attribute-while-it-initialises": (
        {
            "p/__init__.py": D,
            "p/sub/__init__.py": D + "from . import mod\n",
            "p/sub/mod.py": D + "import p.sub\n\nPARENT = p.sub\n",
        },
        ["p.sub", "p.sub.mod"],
    ),
    "implicit-module-attribute-in-a-loop": (
        {
            "p/__init__.py": D + "from p import boot\n",
            "p/boot.py": D + "import os\nimport p\n\nHERE = os.path.dirname(p.__file__)\n",
        },
        ["p", "p.boot"],
    ),
    "import-at-the-bottom-breaks-from-the-other-side": (
        {
            "p/__init__.py": D,
            "p/types.py": D + "class T:\n    pass\n\nfrom p.visitor import Visitor  # noqa: E402\n",
            "p/visitor.py": D + "from p.types import T\n\nclass Visitor:\n    pass\n",
        },
        ["p.types", "p.visitor"],
    ),
    "attribute-read-inside-function-only": (
        {
            "p/__init__.py": D,
            "p/a.py": D + "import p.b\nX = 1\n",
            "p/b.py": D + "import p.a\n\ndef y() -> int:\n    return p.a.X\n",
        },
        ["p.a", "p.b"],
    ),
    "import-as-in-a-loop": (
        {
            "p/__init__.py": D,
            "p/a.py": D + "import p.b as b\nX = 1\n",
            "p/b.py": D + "import p.a as a\n\ndef y() -> int:\n    return a.X\n",
        },
        ["p.a", "p.b"],
    ),
    "guarded-import-in-a-loop": (
        {
            "p/__init__.py": D,
            "p/a.py": D + "from p.b import g\nX = 1\n",
            "p/b.py": D
            + "try:\n    from p.a import X\nexcept ImportError:\n    X = 0\n\ndef g() -> int:\n"
            "    return X\n",
        },
        ["p.a", "p.b"],
    ),
    # A star import of a module outside the project may bring the name itself.
    "star-of-partial-module-after-a-foreign-star": (
        {
            "p/__init__.py": D,
            "p/a.py": D + "from p.b import *\njoin = 1\n",
            "p/b.py": D + "from os.path import *\nfrom p.a import *\n\nX = join\n",
        },
        ["p.a", "p.b"],
    ),
    "star-of-partial-module-then-a-use": (
        {
            "p/__init__.py": D,
            "p/a.py": D + "from p.b import *\nJOIN = 1\n",
            "p/b.py": D + "from os.path import join\nfrom p.a import *\n\nX = JOIN\n",
        },
        ["p.a", "p.b"],
    ),
    # `except ModuleNotFoundError:` does not catch a circular import's ImportError.
    "narrow-handler-does-not-catch-the-loop": (
        {
            "p/__init__.py": D,
            "p/a.py": D + "from p.b import g\nX = 1\n",
            "p/b.py": D + "try:\n    from p.a import X\nexcept ModuleNotFoundError:\n    X = 0\n\n"
            "def g() -> int:\n    return X\n",
        },
        ["p.a", "p.b"],
    ),
    # The handler catches the loop's failure and imports what loops back too.
    "handler-that-loops-back-as-well": (
        {
            "p/__init__.py": D,
            "p/a.py": D + "from p.b import g\nX = 1\n",
            "p/b.py": D
            + "try:\n    from p.a import X\nexcept ImportError:\n    from p.a import X\n\n"
            "def g() -> int:\n    return X\n",
        },
        ["p.a", "p.b"],
    ),
    "star-import-loop-resolves": (
        {
            "p/__init__.py": D + "from p.a import *\nfrom p.b import *\n",
            "p/a.py": D + "__all__ = ['A']\nA = 1\n",
            "p/b.py": D + "from p import A\n__all__ = ['B']\nB = A\n",
        },
        ["p", "p.b"],
    ),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_simulation_agrees_with_python(name: str, tree: Tree) -> None:
    files, modules = SCENARIOS[name]
    root = tree(files)
    failures = [m for m in modules if _imports_fail(root, m) is not None]
    reported = _imp003(root)
    assert bool(failures) == bool(reported), (failures, reported)
