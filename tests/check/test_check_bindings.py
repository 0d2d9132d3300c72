"""Every way a module binds a name, against `from module import *` in the real interpreter.

Each case is a module whose `__all__` names one name. The facts must count the name as
bound exactly when the interpreter's star import finds it, on every Python this machine
has (the running one, and 3.12+ from pyenv for `type X = ...`, which 3.11 cannot parse).
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .check_support import check, write_tree

REPO = Path(__file__).resolve().parents[2]

# name: (module source, the name `__all__` lists). Whether it is bound is the interpreter's.
CASES: dict[str, tuple[str, str]] = {
    "assign": ("X = 1\n", "X"),
    "annotated-assign": ("X: int = 1\n", "X"),
    "annotation-only": ("X: int\n", "X"),
    "augmented-assign": ("X = 1\nX += 1\n", "X"),
    "unpacking": ("A, (B, *X) = 1, (2, 3)\n", "X"),
    "for-target": ("for X in [1]:\n    pass\n", "X"),
    "for-else": ("for _ in []:\n    pass\nelse:\n    X = 1\n", "X"),
    "while-body": ("while True:\n    X = 1\n    break\n", "X"),
    "with-as": ("import contextlib\nwith contextlib.nullcontext(1) as X:\n    pass\n", "X"),
    "with-as-tuple": (
        "import contextlib\nwith contextlib.nullcontext((1, 2)) as (A, X):\n    pass\n",
        "X",
    ),
    "except-as-is-deleted": (
        "try:\n    raise ValueError\nexcept ValueError as X:\n    pass\n",
        "X",
    ),
    "except-as-kept-copy": (
        "try:\n    raise ValueError\nexcept ValueError as e:\n    X = e\n",
        "X",
    ),
    "class": ("class X:\n    pass\n", "X"),
    "function": ("def X():\n    pass\n", "X"),
    "async-function": ("async def X():\n    pass\n", "X"),
    "decorated-function": ("import functools\n@functools.cache\ndef X():\n    pass\n", "X"),
    "nested-function": ("def f():\n    def X():\n        pass\n", "X"),
    "class-attribute": ("class C:\n    X = 1\n", "X"),
    "import": ("import json\n", "json"),
    "import-dotted-binds-first": ("import os.path\n", "os"),
    "import-dotted-not-last": ("import os.path\n", "path"),
    "import-as": ("import os.path as X\n", "X"),
    "from-import": ("from os import sep as X\n", "X"),
    "import-under-try": ("try:\n    import json as X\nexcept ImportError:\n    X = None\n", "X"),
    "import-in-handler": (
        "try:\n    import no_such_module_x\nexcept ImportError:\n    import json as X\n",
        "X",
    ),
    "import-in-function": ("def f():\n    import json\n", "json"),
    "match-capture": ("match 1:\n    case X:\n        pass\n", "X"),
    "match-star": ("match [1, 2]:\n    case [_, *X]:\n        pass\n", "X"),
    "match-mapping-rest": ('match {"a": 1}:\n    case {**X}:\n        pass\n', "X"),
    "match-as": ("match 1:\n    case int() as X:\n        pass\n", "X"),
    "match-guard-walrus": ("match 1:\n    case _ if (X := 2):\n        pass\n", "X"),
    "walrus": ("(X := 1)\n", "X"),
    "walrus-in-if": ("if (X := 0):\n    pass\n", "X"),
    "walrus-in-comprehension": ("[X := i for i in range(2)]\n", "X"),
    "walrus-in-comprehension-condition": ("[i for i in range(2) if (X := i)]\n", "X"),
    "walrus-in-default": ("def f(a=(X := 1)):\n    pass\n", "X"),
    "walrus-in-lambda-body": ("f = lambda: (X := 1)\n", "X"),
    "walrus-in-f-string": ('s = f"{(X := 1)}"\n', "X"),
    "comprehension-variable": ("[X for X in range(2)]\n", "X"),
    "del": ("X = 1\ndel X\n", "X"),
    "del-in-tuple": ("A = X = 1\ndel A, X\n", "X"),
    "del-then-rebind": ("X = 1\ndel X\nX = 2\n", "X"),
    "del-import": ("import json\ndel json\n", "json"),
    "del-under-try": ("X = 1\ntry:\n    del X\nexcept NameError:\n    pass\n", "X"),
    "del-in-class-body": ("X = 1\nclass C:\n    X = 2\n    del X\n", "X"),
    "del-attribute": ("import types\nX = types.SimpleNamespace(a=1)\ndel X.a\n", "X"),
    "global-in-called-function": ("def f():\n    global X\n    X = 1\nf()\n", "X"),
    "global-in-class-body": ("class C:\n    global X\n    X = 1\n", "X"),
    "global-at-module-level": ("global X\n", "X"),
    "main-guard": ('if __name__ == "__main__":\n    X = 1\n', "X"),
    "type-checking": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    X = 1\n", "X"),
    "type-alias": ("type X = int\n", "X"),
    "generic-type-alias": ("type X[T] = list[T]\n", "X"),
    "generic-function": ("def X[T](a: T) -> T:\n    return a\n", "X"),
    "generic-class-parameter": ("class C[X]:\n    pass\n", "X"),
    "type-alias-in-class": ("class C:\n    type X = int\n", "X"),
}

# The facts count a name as bound when it may be (a conditional binding counts), so these
# are quiet where the star import fails: which runs of the code happen is not static.
MAY_BE_BOUND = {
    "global-in-function": ("def f():\n    global X\n    X = 1\n", "X"),
    "for-over-nothing": ("for X in []:\n    pass\n", "X"),
    "rebound-then-deleted-by-except": (
        "X = 1\ntry:\n    raise ValueError\nexcept ValueError as X:\n    pass\n",
        "X",
    ),
    "del-in-branch": ("X = 1\nif True:\n    del X\n", "X"),
}

# Bound by the interpreter, not by the facts, on purpose: `from __future__ import x` binds x
# (a `__future__._Feature`), but no one exports it, and counting it would put `annotations`
# into every `__all__` that EXP005's fix writes.
NOT_COUNTED = {"future-import": ("from __future__ import annotations\n", "annotations")}

# In the interpreter under test: for each case module, whether its star import finds the
# name (None: it does not parse there), and whether the facts count the name as bound.
PROBE = """
import importlib, json, sys
from scaffold.check.facts import parse_source
out = {}
for name in sys.argv[1:]:
    with open(name + ".py", encoding="utf-8") as stream:
        text = stream.read()
    try:
        compile(text, name, "exec")
    except SyntaxError:
        out[name] = None
        continue
    try:
        exec(f"from {name} import *", {})
        real = True
    except AttributeError:
        real = False
    facts = parse_source(text)
    listed = text.rsplit("__all__ = [", 1)[1].split('"')[1]
    out[name] = [real, listed in facts.bindings | facts.global_names, facts.error is None]
print(json.dumps(out))
"""


def _pythons() -> list[str]:
    """The running Python and the pyenv ones newer than it (for syntax it cannot parse)."""
    found = [sys.executable]
    pattern = os.path.expanduser("~/.pyenv/versions/3.1[2-9]*/bin/python3")
    found += sorted(glob.glob(pattern))
    return found


def _name(key: str) -> str:
    """The case's module name (`class` is a keyword; `m_class` is not)."""
    return "m_" + key.replace("-", "_")


def _module(source: str, name: str) -> str:
    return f'{source}__all__ = ["{name}"]\n'


def _files(cases: dict[str, tuple[str, str]]) -> dict[str, str]:
    return {f"{_name(key)}.py": _module(*case) for key, case in cases.items()}


def _probe(python: str, root: Path, cases: dict[str, tuple[str, str]]) -> dict[str, list[bool]]:
    modules = [_name(key) for key in cases]
    out = subprocess.run(
        [python, "-c", PROBE, *modules],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": f"{root}{os.pathsep}{REPO}", "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    return {key: result[_name(key)] for key in cases}


@pytest.mark.parametrize("python", _pythons())
def test_facts_bind_what_the_interpreter_binds(python: str, tmp_path: Path) -> None:
    cases = {**CASES, **MAY_BE_BOUND, **NOT_COUNTED}
    results = _probe(python, write_tree(tmp_path, _files(cases)), cases)
    checked = {key: r for key, r in results.items() if r is not None}
    assert all(error_free for _, _, error_free in checked.values())
    wrong = {k: r[:2] for k, r in checked.items() if k in CASES and r[0] != r[1]}
    assert wrong == {}, "[interpreter binds, facts bind] differ"
    # The deliberately quiet ones: the interpreter does not bind, the facts say it may be.
    quiet = {k: r[:2] for k, r in checked.items() if k in MAY_BE_BOUND}
    assert quiet == {k: [False, True] for k in MAY_BE_BOUND if k in checked}
    assert all(checked[k][:2] == [True, False] for k in NOT_COUNTED)


def test_exp001_agrees_with_the_star_import(tmp_path: Path) -> None:
    """End to end on this Python: EXP001 reports exactly the modules whose import fails."""
    cases = {**CASES, **MAY_BE_BOUND}
    results = _probe(sys.executable, write_tree(tmp_path, _files(cases)), cases)
    failing = {
        _name(key) + ".py"
        for key, result in results.items()
        if result is not None and not result[0] and key in CASES
    }
    report = check(tmp_path)
    reported = {d.path for d in report.diagnostics if d.code == "EXP001"}
    assert reported == failing
