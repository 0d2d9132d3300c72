"""A star import reads every name its module's `__all__` lists (imports.stars): a later
run that binds one of them changes what the simulation reports, and does not reuse its
stored failures."""

from __future__ import annotations

from pathlib import Path

from scaffold.check import CheckOptions, run_check
from scaffold.check.facts import parse_source
from scaffold.check.incremental.runs import asked_in, asked_names

from .check_support import write_tree

_A = "from p.a import N0\n__all__ = ['N0', 'N1']\nfrom p.a import *\n"


def _report(root: Path, *, use_cache: bool = True) -> list[tuple[str, str, int]]:
    options = CheckOptions(paths=(root,), use_cache=use_cache)
    return sorted((d.code, d.path, d.line) for d in run_check(options).diagnostics)


def test_a_name_listed_in_all_is_asked_of_the_simulation() -> None:
    facts = parse_source(_A)
    assert {"N0", "N1"} <= asked_names(facts)
    assert {"N0", "N1"} <= asked_in({"p.a": facts})


def test_binding_a_listed_name_later_is_reported_after_an_edit(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "demo"\nversion = "0"\n',
            "p/__init__.py": "from p.a import N0\n",
            "p/a.py": _A,
            "q/__init__.py": "from p.a import N0\n",
        },
    )
    assert _report(root) == _report(root, use_cache=False)
    (root / "p/a.py").write_text(_A + "N1 = 5\n")
    fresh = _report(root, use_cache=False)
    assert ("IMP003", "p/a.py", 3) in fresh  # N1 listed, bound only after the star import
    assert _report(root) == fresh
