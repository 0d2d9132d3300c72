"""Random package trees, imported by the real interpreter: IMP003 and EXP001 against CPython.

Each tree is a package `p` with a few modules that import each other in the ways real code
does (plain and from-imports, star imports, functions called at import time, `try:`
fallbacks, version checks, a late module `__getattr__`, `__all__` built from other
modules). Every module is imported, and star-imported, in a fresh interpreter; where it
raises, the innermost first-party frame is where scaffold must report (issue 13, item 14).
The trees come from fixed seeds, so a failure names a tree that can be rebuilt.
"""

from __future__ import annotations

import ast
import random
import sys
from pathlib import Path

import pytest

from scaffold.check.discover import discover
from scaffold.check.facts.guards import caught, decided
from scaffold.check.imports.simulation import locate, simulate_failures
from scaffold.check.pipeline import resolve

from .check_support import check, run_probe, write_tree

MODULES = ("m0", "m1", "m2")
STARTS = ("p", *(f"p.{m}" for m in MODULES))

# For each module name: how `import name` and then `from name import *` end, each in a
# fresh interpreter: null when it ran, else [exception class, message, innermost frame in
# the tree as "rel/path.py:line" or "" when none]. A module `__getattr__` that raises for
# a name it does not serve is not where the failing statement is: its frame is left out.
PROBE = r"""
import json, os, subprocess, sys
CHILD = '''
import json, os, sys, traceback
root = os.getcwd() + os.sep
try:
    exec(sys.argv[1], {})
except Exception as error:
    frames = [
        f
        for f in traceback.extract_tb(error.__traceback__)
        if f.filename.startswith(root) and f.name != "__getattr__"
    ]
    where = f"{frames[-1].filename[len(root):]}:{frames[-1].lineno}" if frames else ""
    print(json.dumps([type(error).__name__, str(error), where]))
else:
    print("null")
'''
results = {}
for name in sys.argv[1:]:
    for statement in (f"import {name}", f"from {name} import *"):
        done = subprocess.run(
            [sys.executable, "-S", "-c", CHILD, statement], capture_output=True, text=True
        )
        results[statement] = json.loads(done.stdout)
print(json.dumps(results))
"""


def _lines(rng: random.Random, index: int, lazy: bool, stars: bool) -> list[str]:
    """The statements of module `m{index}`: imports of the others, and its own names.

    `lazy`: the package serves L0 and L1 through its module `__getattr__`. `stars`: the
    modules star-import each other, and then each `__all__` lists only names it binds (a
    star import of a module whose `__all__` is wrong fails for that reason, EXP001's).
    """
    lines = ["import sys", "import typing"]
    for step in range(rng.randint(1, 4)):
        j = rng.randrange(len(MODULES))
        other, k = MODULES[j], rng.randint(0, 1)
        spare = MODULES[rng.randrange(len(MODULES))]
        name = f"N{j}_{k}"
        choices = [
            [f"from p.{other} import {name}"],
            [f"from p import {other}"],
            [f"import p.{other}"],
            [f"import p.{other}", f"X{step} = p.{other}.{name}"],
            [f"N{index}_{step % 2} = {step}"],
            [f"from p import P{k}"],
            [f"def f{step}():", f"    from p.{other} import {name}", f"F{step} = f{step}()"],
            [f"def g{step}():", f"    from p.{other} import {name}"],
            ["try:", f"    from p.{other} import {name}", "except ImportError:", "    pass"],
            [
                # A fallback binds what the body would have (the handler may fail too).
                "try:",
                f"    from p.{other} import {name}",
                "except ImportError:",
                f"    from p.{spare} import N{MODULES.index(spare)}_{k} as {name}",
            ],
            ["if sys.version_info >= (3, 8):", f"    from p.{other} import {name}"],
            # EXP001 counts a name bound in a branch this Python skips as bound (it serves
            # the Pythons that take it): the alias keeps such names out of `__all__`.
            ["if sys.version_info < (3, 0):", f"    from p.{other} import {name} as old"],
            ["if typing.TYPE_CHECKING:", f"    from p.{other} import {name}"],
        ]
        if lazy:
            choices.append([f"from p import L{k}"])
        if stars:
            # N{j}_0 is in every module's __all__: the star brings it once it is bound.
            choices.append([f"from p.{other} import *", f"S{step} = N{j}_0"])
        lines += rng.choice(choices)
    lines += [f"N{index}_0 = 0", f"N{index}_1 = 1"]
    exported = [f"N{index}_0"]
    if not stars and rng.random() < 0.3:
        j = rng.randrange(len(MODULES))
        exported.append(f"N{j}_{rng.randint(0, 1)}")
    lines.append(f"__all__ = {exported!r}")
    if not stars and rng.random() < 0.2:
        other = MODULES[rng.randrange(len(MODULES))]
        lines += [f"import p.{other}", f"__all__.extend(p.{other}.__all__)"]
    return lines


def random_tree(seed: int) -> dict[str, str]:
    """The files of tree number `seed`."""
    rng = random.Random(seed)
    lazy, stars = rng.random() < 0.4, rng.random() < 0.5
    files = {
        f"p/{m}.py": "\n".join(_lines(rng, i, lazy, stars)) + "\n" for i, m in enumerate(MODULES)
    }
    init: list[str] = []
    for index, module in enumerate(MODULES):
        if rng.random() < 0.5:
            init.append(f"from p import {module}")
        if rng.random() < 0.3:
            init.append(f"P{index % 2} = {index}")
    init += ["P0 = 0", "P1 = 1"]
    if lazy:
        # Anywhere in the package: before or after the imports that loop back into it.
        init[rng.randint(0, len(init)) : 0] = [
            "def __getattr__(name):",
            "    if name in ('L0', 'L1'):",
            "        return 0",
            "    raise AttributeError(name)",
        ]
    files["p/__init__.py"] = "\n".join(init) + "\n"
    return files


def interpreter_outcomes(root: Path) -> dict[str, str]:
    """Per start module, where CPython fails: "IMP003 path:line" for the innermost frame of
    what `import name` raised, "EXP001" when only `from name import *` raised, "" when
    both ran."""
    outcomes = run_probe(root, PROBE, list(STARTS))
    seen: dict[str, str] = {}
    for name in STARTS:
        plain = outcomes[f"import {name}"]
        star = outcomes[f"from {name} import *"]
        seen[name] = f"IMP003 {plain[2]}" if plain else "EXP001" if star else ""
    return seen


def scaffold_outcomes(root: Path) -> dict[str, str]:
    """The same, as scaffold predicts it: the first failure its simulation meets when
    importing each start module alone, else whether EXP001 fires on that module."""
    resolved = resolve(discover(root))
    project = resolved.project
    by_module = {source.module: source for source in resolved.tree.files}
    exported = {d.path for d in check(root).diagnostics if d.code == "EXP001"}
    seen: dict[str, str] = {}
    for name in STARTS:
        source = by_module[name]
        failures = simulate_failures(project, [source]).failures
        if failures:
            first = locate(project, failures[0])
            seen[name] = f"IMP003 {project.files[first.key].rel}:{first.span.line}"
        else:
            seen[name] = "EXP001" if source.rel in exported else ""
    return seen


def compare(root: Path, seed: int) -> tuple[dict[str, str], dict[str, str]]:
    """Tree `seed` written under `root`: (what CPython does, what scaffold predicts)."""
    write_tree(root, random_tree(seed))
    return interpreter_outcomes(root), scaffold_outcomes(root)


@pytest.mark.parametrize("seed", range(12))
def test_random_tree_findings_match_the_interpreter(tmp_path: Path, seed: int) -> None:
    expected, predicted = compare(tmp_path, seed)
    assert predicted == expected


@pytest.mark.slow
@pytest.mark.parametrize("seeds", [range(12, 112), range(112, 212)])
def test_many_random_trees_match_the_interpreter(tmp_path: Path, seeds: range) -> None:
    # 200 trees: what the fast test's dozen cannot cover (each class shows up in 1-3 %).
    differ = {}
    for seed in seeds:
        root = tmp_path / str(seed)
        expected, predicted = compare(root, seed)
        if predicted != expected:
            differ[seed] = {
                k: (expected[k], predicted[k]) for k in expected if expected[k] != predicted[k]
            }
    assert differ == {}


@pytest.mark.parametrize(
    ("test", "value"),
    [
        (f"sys.version_info >= {tuple(sys.version_info)[:2]}", True),
        (f"sys.version_info[:2] < {tuple(sys.version_info)[:2]}", False),
        (f"sys.version_info[0] == {sys.version_info[0]}", True),
        (f"sys.version_info.minor != {sys.version_info.minor}", False),
        (f"sys.platform == {sys.platform!r}", True),
        (f"not sys.platform.startswith('x') and sys.platform != {sys.platform!r}", None),
        (f"sys.platform != {sys.platform!r} or sys.version_info < (3, 0)", False),
        ("sys.version_info >= (3, 8) and DEBUG", None),
        ("PY3", None),
        ("sys.version_info >= '3.8'", None),
    ],
)
def test_if_tests_are_decided_as_the_running_python_would(test: str, value: bool | None) -> None:
    tree = ast.parse(test, mode="eval")
    assert decided(tree.body) == value


@pytest.mark.parametrize(
    ("handler", "caught_kinds"),
    [
        ("ImportError", {"ImportError"}),
        ("ModuleNotFoundError", set()),  # a circular import raises plain ImportError
        ("(AttributeError, KeyError)", {"AttributeError"}),
        ("Exception", {"ImportError", "AttributeError", "NameError"}),
        ("errors.Missing", None),
        ("CustomError", None),
    ],
)
def test_handlers_catch_what_their_classes_catch(
    handler: str, caught_kinds: set[str] | None
) -> None:
    tree = ast.parse(handler, mode="eval")
    assert caught(tree.body) == caught_kinds
