"""SYN001 for what `ast.parse` accepts and the compiler rejects, worded as `compile()` words it."""

from __future__ import annotations

import pytest

import scaffold.check.facts.compiles as compiles_module
from scaffold.check.facts import parse_source
from scaffold.check.model import SourceError, Span

from .check_support import FIXTURES, run_probe

# Sources `ast.parse` accepts and `compile(text, path, "exec")` (and so `import`) rejects.
REJECTED = {
    "star-import-in-function": "def f():\n    from os import *\n",
    "star-import-in-class": "class C:\n    from os import *\n",
    "star-import-in-nested-function": "if 1:\n    def f():\n        from os import *\n",
    "future-star": "from __future__ import *\n",
    "future-unknown-feature": "from __future__ import spam\n",
    "future-braces": "from __future__ import braces\n",
    "future-after-import": "import os\nfrom __future__ import annotations\n",
    "future-after-second-string": '"""Doc."""\n"more"\nfrom __future__ import annotations\n',
    "future-in-function": "def f():\n    from __future__ import annotations\n",
    "future-later-on-one-line": "from __future__ import annotations; import os;"
    " from __future__ import division\n",
    "return-at-module-level": "return 1\n",
    "return-in-if": "if True:\n    return\n",
    "return-in-class": "class C:\n    return 1\n",
    "return-under-main-guard": "if __name__ == '__main__':\n    return\n",
    "yield-at-module-level": "x = yield 1\n",
    "yield-from-at-module-level": "yield from x\n",
    "yield-in-class": "class C:\n    x = yield\n",
    "yield-in-module-comprehension": "x = [(yield) for a in b]\n",
    "yield-under-main-guard": "if __name__ == '__main__':\n    print((yield))\n",
    "await-at-module-level": "await x\n",
    "await-in-class": "class C:\n    await x\n",
    "await-under-main-guard": "if __name__ == '__main__':\n    await asyncio.sleep(0)\n",
    "await-in-module-comprehension": "x = [await a for a in b]\n",
    "async-comprehension-at-module-level": "x = [a async for a in b]\n",
    "async-for-at-module-level": "async for a in b:\n    pass\n",
    "async-with-at-module-level": "async with a:\n    pass\n",
    "break-at-module-level": "break\n",
    "continue-at-module-level": "continue\n",
    "break-in-loop-else": "for a in b:\n    pass\nelse:\n    break\n",
    "break-in-function-in-loop": "for a in b:\n    def f():\n        break\n",
    "break-in-class-in-loop": "while a:\n    class C:\n        break\n",
    "continue-in-function": "def f():\n    continue\n",
    "break-in-function-loop-else": "def f():\n    while a:\n        pass\n    else:\n"
    "        break\n",
    "nonlocal-at-module-level": "nonlocal x\n",
    "nonlocal-in-module-if": "if 1:\n    nonlocal x\n",
    "nonlocal-in-class": "class C:\n    nonlocal x\n",
    "nonlocal-without-binding": "def f():\n    nonlocal x\n",
    "duplicate-parameter": "def f(a, a):\n    pass\n",
    "duplicate-keyword-only": "def f(a, *, a):\n    pass\n",
    "duplicate-star-parameter": "def f(a, *a):\n    pass\n",
    "duplicate-in-nested-function": "def g():\n    def f(a, b, a):\n        pass\n",
    "duplicate-in-method": "class C:\n    async def f(self, **self):\n        pass\n",
    "duplicate-in-module-lambda": "g = lambda a, a: 1\n",
    "starred-assignment": "*a = 1\n",
    "two-starred-targets": "a, *b, *c = d\n",
    "bare-except-not-last": "try:\n    pass\nexcept:\n    pass\nexcept ValueError:\n    pass\n",
    "bare-except-not-last-in-function": "def f():\n    try:\n        pass\n    except:\n"
    "        pass\n    except ValueError:\n        pass\n",
}

# Near misses that compile: none of them may become a SYN001.
ACCEPTED = {
    "future-after-docstring": '"""Doc."""\nfrom __future__ import annotations\n',
    "futures-in-a-row": "from __future__ import annotations\nfrom __future__ import division\n",
    "star-import-at-module-level": "from os import *\nif x:\n    from sys import *\n",
    "yield-in-lambda": "f = lambda: (yield)\n",
    "yield-in-function": "def f():\n    yield 1\n",
    "await-in-async-function": "async def f():\n    return [await a for a in b]\n",
    "async-generator-expression": "x = (a async for a in b)\n",
    "continue-in-finally": "for a in b:\n    try:\n        pass\n    finally:\n        continue\n",
    "break-in-nested-loop": "def f():\n    for a in b:\n        while a:\n            break\n",
    "nonlocal-with-binding": "def f():\n    x = 1\n    def g():\n        nonlocal x\n",
    "distinct-parameters": "def f(a, /, b, *c, d, **e):\n    pass\n",
    "starred-in-tuple": "a, *b = c\n",
    "bare-except-last": "try:\n    pass\nexcept ValueError:\n    pass\nexcept:\n    pass\n",
}


def _compiled(source: str) -> SourceError | None:
    """What `compile()` says of the source, in the facts' terms (columns 1-based)."""
    try:
        compile(source, "mod.py", "exec", dont_inherit=True)
    except SyntaxError as exc:
        line, col = exc.lineno or 1, exc.offset or 1
        return SourceError("syntax", exc.msg, Span(line, col, line, col))
    return None


@pytest.mark.parametrize("source", REJECTED.values(), ids=list(REJECTED))
def test_a_compile_error_is_the_compilers(source: str) -> None:
    expected = _compiled(source)
    assert expected is not None, "compiles on this Python: move it to ACCEPTED"
    assert parse_source(source).error == expected


@pytest.mark.parametrize("source", ACCEPTED.values(), ids=list(ACCEPTED))
def test_a_near_miss_compiles_and_is_no_error(source: str) -> None:
    assert _compiled(source) is None
    assert parse_source(source).error is None


def test_a_clean_module_is_not_compiled(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr(compiles_module, "compile_error", lambda tree: calls.append(tree))
    source = (
        '"""Doc."""\nfrom __future__ import annotations\nimport os\n'
        "for a in os.sep:\n    break\n"
        "def f(a, b):\n    for c in a:\n        continue\n    return [x for x in b]\n"
        "class C:\n    def g(self):\n        yield self\n"
    )
    assert parse_source(source).error is None
    assert calls == []


# In a fresh interpreter: import each module; print the SyntaxError's message and line.
PROBE = """
import importlib, json, sys
out = {}
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
        out[name] = None
    except SyntaxError as exc:
        out[name] = [exc.msg, exc.lineno]
print(json.dumps(out))
"""


@pytest.mark.parametrize("kind", ["bad", "good"])
def test_syn001_fixture_matches_import(kind: str) -> None:
    """Each file of the SYN001 fixtures fails to import exactly where a SYN001 is expected."""
    folder = FIXTURES / "SYN001" / kind
    expected = {
        line.split()[1].partition(":")[0].removesuffix(".py"): int(line.rpartition(":")[2])
        for line in (folder / "expected.txt").read_text(encoding="utf-8").splitlines()
        if line.startswith("SYN001 ")
    }
    modules = sorted(path.stem for path in folder.glob("*.py"))
    imported = run_probe(folder, PROBE, modules)
    assert {name: error[1] for name, error in imported.items() if error} == expected
    for name in expected:
        detail = parse_source((folder / f"{name}.py").read_bytes()).error
        assert detail is not None and detail.detail == imported[name][0]
