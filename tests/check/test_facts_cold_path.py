"""The facts walk's shortcuts answer as the full walks they replace (issue 20)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import scaffold.check
from scaffold.check.facts import parse_source, whole_tree
from scaffold.check.facts.expressions import _children
from scaffold.check.facts.nodes import walk_nodes
from tests.check.test_check_facts import whole_file_walks

# Every way of writing a sys.path change the text search must still see: aliases, the
# brackets, comments and line continuations Python allows around an attribute's dot, and
# old Mac line ends.
_SPELLINGS = [
    "import sys\nsys.path.insert(0, 'x')\n",
    "import sys as s\n(s).path.append('x')\n",
    "import sys\n((sys  # a comment\n )).path.append('x')\n",
    "import sys\n(sys.  # a comment\n path).append('x')\n",
    "import sys\nsys \\\n  .path \\\n  .extend(['x'])\n",
    "import sys\r(sys # a comment\r.path).append('x')\r",
    "import os, sys\nsys.path[:0] = ['x']\n",
    "import sys\nsys.path += ['x']\n",
    "def f():\n    import sys as _s\n    return _s\n"
    "f().path.append('x')\nimport sys\nsys.path.append('y')\n",
    "import sys\nsys.path.append('\u00e9')\n",
    # Any augmented assignment, brackets around the target, a name the parser normalises
    # (fullwidth letters), a name spelled with a combining accent.
    "import sys\nsys.path *= 2\n",
    "import sys\n(sys.path)[:0] = ['x']\n",
    "import sys\n\uff53\uff59\uff53.path.append('x')\n",
    "import sys as \u00e9\ne\u0301.path.append('x')\n",
]


def test_every_spelling_of_a_sys_path_change_changes_it() -> None:
    """The interpreter's own word that each spelling above changes sys.path."""
    probe = (
        "import json, sys\nchanged = []\n"
        "for source in json.loads(sys.argv[1]):\n"
        "    before = list(sys.path)\n"
        "    exec(compile(source, '<probe>', 'exec'), {})\n"
        "    changed.append(sys.path != before)\n"
        "    sys.path[:] = before\n"
        "print(json.dumps(changed))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, json.dumps(_SPELLINGS)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(out.stdout) == [True] * len(_SPELLINGS)


@pytest.mark.parametrize("source", _SPELLINGS)
def test_the_text_search_finds_what_the_full_walk_finds(
    source: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    searched = parse_source(source).path_hacks
    monkeypatch.setattr(whole_tree, "_says_path", lambda text, names: True)
    walked = parse_source(source).path_hacks
    assert searched == walked and len(walked) >= 1


@pytest.mark.parametrize(
    "source",
    [
        "import os, sys\npath = os.path.join('a', 'b')\nparts = path[1:]\n",
        "import sys\nimport os.path as osp\nosp.path = 1\nprint(sys.argv)\n",
        # A line of `#` after the import: the search must not try every way to split it.
        "import sys\n" + "#" * 200 + "\npath = 1\n",
        # Reading sys.path changes nothing, whatever else the file does with a `path`.
        "import os, sys\npaths = list(sys.path)\npath = os.path.join('a')\nparts = path[1:]\n",
        "import sys\nif sys.path == []:\n    pass\n",
        # A text outside ASCII whose names cannot be spelled otherwise: the same search.
        "import sys\n# caf\u00e9 \u2014 \u03c0\nprint(sys.path)\npath = 1\n",
    ],
)
def test_a_file_importing_sys_that_never_says_sys_path_is_not_walked(
    source: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Real code says `path = ...` and `os.path` everywhere and imports sys often; walking
    # the whole tree of each such file cost as much as parsing it.
    walked = whole_file_walks(monkeypatch)
    assert parse_source(source).path_hacks == ()
    assert walked == []


def _expressions_of_the_checker() -> Iterator[ast.AST]:
    for path in sorted(Path(scaffold.check.__file__).parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.expr, ast.keyword, ast.comprehension)):
                yield node


def test_an_expressions_children_are_its_child_nodes_but_contexts_and_operators() -> None:
    """The walk's table of fields per class leaves out only nodes that read nothing."""
    nothing_below = (ast.expr_context, ast.operator, ast.boolop, ast.cmpop, ast.unaryop)
    kinds = set()
    for node in _expressions_of_the_checker():
        kinds.add(type(node))
        expected = [c for c in ast.iter_child_nodes(node) if not isinstance(c, nothing_below)]
        assert _children(node) == expected, ast.dump(node)
    assert len(kinds) > 20  # the checker's own code holds most expression classes


_EVERY_KIND = """
from . import a as b
import c.d
def f(x, /, y: int = 1, *args: str, z, **kw) -> None:
    global g
    def h():
        nonlocal x
    match x:
        case [1, *rest] | {"k": v, **more} if v:
            pass
        case P(a=q):
            del q
    async def k():
        async with m as n:
            await n
        async for i in n:
            yield i
    return lambda p=1: {**kw, p: [i async for i in p] or f"{p!r:>{x}}"}
class C(B, metaclass=M):
    t: "list[int]" = -x if not y else x @ y < 2
    try:
        raise E from None
    except* (E, F) as e:
        assert e, "no"
"""


def test_walk_nodes_is_ast_walk_without_contexts_and_operators() -> None:
    """The fast walk yields what `ast.walk` yields, in its order, less only the contexts and
    operators (which no reader looks for): on the checker's own code and every kind of node."""
    nothing_below = (ast.expr_context, ast.operator, ast.boolop, ast.cmpop, ast.unaryop)
    trees = [ast.parse(_EVERY_KIND)]
    for path in sorted(Path(scaffold.check.__file__).parent.rglob("*.py")):
        trees.append(ast.parse(path.read_text(encoding="utf-8")))
    for tree in trees:
        expected = [n for n in ast.walk(tree) if not isinstance(n, nothing_below)]
        assert walk_nodes(tree) == expected


def test_a_file_that_changes_sys_path_is_walked_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """The walks counted by `whole_file_walks` include the facts' own walk: the tests that
    say a file is not walked would otherwise pass whatever the walk."""
    walked = whole_file_walks(monkeypatch)
    assert len(parse_source("import sys\nsys.path.insert(0, 'x')\n").path_hacks) == 1
    assert len(walked) == 1
