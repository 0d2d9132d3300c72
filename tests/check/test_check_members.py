"""Workspace member roots: a folder holding pyproject.toml inside a package is none.

pandas and statsmodels wheels ship their pyproject.toml inside the package folder, next to
`__init__.py`. Every name here is confirmed by the real interpreter: a fresh Python whose
path holds the folder an installer would put there imports each module by the name
scaffold gave it and reports `__spec__.name` and `__file__`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from scaffold.check import CheckOptions, run_check
from scaffold.check.discover import discover

from .check_support import findings, run_probe

Tree = Callable[[Mapping[str, str | bytes]], Path]
D = '"""Module."""\n'

# What the interpreter calls each module it is asked for, and which file it ran.
SPEC_PROBE = """
import importlib, json, sys
found = {}
for name in sys.argv[1:]:
    module = importlib.import_module(name)
    found[name] = [module.__spec__.name, module.__name__, module.__file__]
print(json.dumps(found))
"""

# A wheel's layout as pandas ships it: pyproject.toml beside __init__.py, subpackages, an
# absolute self-import, and an import cycle through it. `user.py` beside it imports the
# standard library's `io`, which `pandas/io/` must not hide.
PANDAS_LIKE = {
    "pandas/pyproject.toml": (
        '[project]\nname = "pandas"\n\n'
        '[project.entry-points."pandas_plotting_backends"]\nmatplotlib = "pandas:core.frame"\n'
    ),
    "pandas/__init__.py": '"""pandas."""\n\nfrom pandas.core import frame\n\n__all__ = ["frame"]\n',
    "pandas/core/__init__.py": '"""Core."""\n',
    "pandas/core/frame.py": (
        '"""Frame."""\n\nfrom pandas.io import formats\n\n__all__ = ["formats"]\n'
    ),
    "pandas/io/__init__.py": '"""IO."""\n',
    "pandas/io/formats.py": (
        '"""Formats."""\n\nfrom pandas.core import frame\n\n__all__ = ["frame"]\n'
    ),
    "user.py": '"""User."""\n\nfrom io import StringIO\n\n__all__ = ["StringIO"]\n',
}


def names(path: Path) -> dict[Path, str]:
    """Each discovered file's path and the module scaffold names it."""
    return {f.path: f.module for f in discover(path).files}


def assert_python_agrees(sys_path_entry: Path, named: Mapping[Path, str]) -> None:
    """The interpreter, with `sys_path_entry` on its path, imports each module by the name
    scaffold gave it, from that very file, and calls it that."""
    found = run_probe(sys_path_entry, SPEC_PROBE, sorted(set(named.values())))
    for path, module in named.items():
        spec_name, dunder_name, file = found[module]
        assert (spec_name, dunder_name, Path(file)) == (module, module, path), path


@pytest.mark.parametrize("checked", [".", "pandas", "pandas/core"])
def test_a_package_holding_pyproject_is_no_member_root(tree: Tree, checked: str) -> None:
    site = tree(PANDAS_LIKE)
    named = names(site / checked)
    expected = {
        "pandas/__init__.py": "pandas",
        "pandas/core/__init__.py": "pandas.core",
        "pandas/core/frame.py": "pandas.core.frame",
        "pandas/io/__init__.py": "pandas.io",
        "pandas/io/formats.py": "pandas.io.formats",
    }
    assert {path: named[site / path] for path in expected} == expected
    assert_python_agrees(site, named)


def test_self_import_resolves_its_cycle_is_found_and_stdlib_io_is_not_hidden(tree: Tree) -> None:
    site = tree(PANDAS_LIKE)
    # Named from pandas/ as a root, pandas.core.frame was `core.frame`: the cycle through
    # `from pandas.core import frame` went unseen, `io` was pandas/io (IMP006 on user.py),
    # and the entry point's `pandas` did not exist (ENT001).
    report = run_check(CheckOptions(paths=(site,)))
    assert findings(report) == ["IMP002 pandas/core/frame.py:3"]
    assert "pandas.core.frame -> pandas.io.formats -> pandas.core.frame" in (
        report.diagnostics[0].message
    )
    # CPython runs the cycle (the second `from pandas.core import frame` finds the
    # half-initialised module in sys.modules) and `io` is still the standard library's.
    probe = (
        "import json, io, pandas, user\n"
        "print(json.dumps([pandas.frame.formats.frame.__name__, user.StringIO is io.StringIO,"
        " io.__spec__.origin]))\n"
    )
    frame, same, origin = run_probe(site, probe, [])
    assert (frame, same) == ("pandas.core.frame", True)
    assert origin != str(site / "pandas" / "io" / "__init__.py")


def test_a_folder_without_init_inside_a_package_is_no_member_root(tree: Tree) -> None:
    # pkg/data/ has no __init__.py: inside the regular package pkg it is the (accidental)
    # namespace package pkg.data, pyproject.toml or not.
    site = tree(
        {
            "pkg/__init__.py": D,
            "pkg/data/pyproject.toml": "[project]\nname = 'data'\n",
            "pkg/data/loader.py": D,
            "pkg/data/formats/__init__.py": D,
        }
    )
    named = names(site)
    assert sorted(named.values()) == ["pkg", "pkg.data.formats", "pkg.data.loader"]
    assert_python_agrees(site, named)


def test_a_package_folders_config_applies_to_its_files(tree: Tree) -> None:
    # The nearest pyproject.toml configures the files below it, patterns relative to its
    # folder, as for any member (and as ruff's nearest-config rule); its `src` names no
    # root, for nothing inside a package can be one.
    site = tree(
        {
            **PANDAS_LIKE,
            "pandas/pyproject.toml": (
                '[tool.scaffold.check]\nignore = ["IMP002"]\nsrc = ["core"]\n'
                'per-file-ignores = { "io/*" = ["IMP009"] }\n'
            ),
            "pandas/io/side.py": D + "print('loaded')\n",
            "pandas/core/side.py": D + "print('loaded')\n",
            "script.py": D + "print('loaded')\n",
        }
    )
    report = run_check(CheckOptions(paths=(site,)))
    assert findings(report) == ["IMP009 pandas/core/side.py:2", "IMP009 script.py:2"]
    assert names(site)[site / "pandas/core/frame.py"] == "pandas.core.frame"


def test_a_namespace_folder_holding_pyproject_stays_a_member_root(tree: Tree) -> None:
    # Without __init__.py, acme/ is a workspace member (see the README): its modules are
    # named from it, as Python names them when the member's folder is the path entry
    # (installed as a project, or run from it). Python would also import acme.core with
    # the folder above on the path, as a PEP 420 portion; scaffold chooses the member.
    site = tree(
        {
            "acme/pyproject.toml": "[project]\nname = 'core'\n",
            "acme/core/__init__.py": D + "from core import util\n\n__all__ = ['util']\n",
            "acme/core/util.py": D,
        }
    )
    named = names(site)
    assert sorted(named.values()) == ["core", "core.util"]
    assert_python_agrees(site / "acme", named)
    assert findings(run_check(CheckOptions(paths=(site,)))) == []
