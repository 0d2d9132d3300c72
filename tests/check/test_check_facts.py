"""parse_source: facts from text, never an exception, nothing unpicklable kept."""

from __future__ import annotations

import ast
import pickle
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from scaffold.check.facts import nodes, parse_source, scan_noqa, uses, whole_tree
from scaffold.check.model import Access, Bind, RunImport, TryEnd, TryHandler, TryStart, Where

from .check_support import run_probe, write_tree


def test_facts_are_picklable_and_hold_no_ast() -> None:
    facts = parse_source(b'"""Doc."""\nimport os\nfrom . import x\n__all__ = ["a"]\na = os.sep\n')
    clone = pickle.loads(pickle.dumps(facts))
    assert clone == facts and hash(clone) == hash(facts)
    assert "ast" not in repr(facts).lower().replace("last", "")


# The kinds of SourceError each rule reports: what cannot be parsed, what cannot be read.
KINDS = {"SYN001": {"syntax", "invalid", "nesting", "size"}, "SYN002": {"read", "decode"}}


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"def f(:\n    pass\n", "SYN001"),
        (b"x = 1\x00\n", "SYN001"),
        (b'x = "caf\xe9"\n', "SYN002"),
        (b"# -*- coding: no-such-codec -*-\nx = 1\n", "SYN002"),
        (b"x = " + b"(" * 1000 + b")" * 1000 + b"\n", "SYN001"),
        (b"x = " + b"-" * 100_000 + b"1\n", "SYN001"),
    ],
    ids=["syntax", "nul", "latin1", "codec", "nesting", "deep-unary"],
)
def test_bad_input_becomes_an_error_record(data: bytes, code: str) -> None:
    facts = parse_source(data)
    assert facts.error is not None and facts.error.kind in KINDS[code]


def test_bom_and_coding_cookie_decode() -> None:
    assert parse_source("\ufeffx = 1\n".encode()).error is None
    latin = "# -*- coding: latin-1 -*-\nx = 'café'\n".encode("latin-1")
    assert parse_source(latin).error is None


def test_compiler_warnings_stay_quiet(recwarn: pytest.WarningsRecorder) -> None:
    assert parse_source(b"x = 1\nif x is 1:\n    (1)(2)\n'\\d'\n").error is None
    assert not recwarn.list


def test_large_file_parses() -> None:
    data = b"".join(b"value_%d = %d\n" % (i, i) for i in range(60_000))
    facts = parse_source(data)
    assert facts.error is None and "value_59999" in facts.bindings


def test_where_imports_run() -> None:
    facts = parse_source(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import a\n"
        "def f():\n    import b\n"
        "if __name__ == '__main__':\n    import c\n"
        "try:\n    import d\nexcept ImportError:\n    d = None\n"
    )
    where = {imp.names[0].name: (imp.where, imp.guarded) for imp in facts.imports}
    assert where["a"] == (Where.TYPE_CHECKING, False)
    assert where["b"][0] is Where.FUNCTION
    assert where["c"][0] is Where.MAIN
    assert where["d"] == (Where.MODULE, True)
    assert "a" in facts.typing_bindings and "a" not in facts.bindings
    assert "c" not in facts.bindings


# `if` tests, and whether the body runs when the module is imported (not run as a script).
GUARDS = {
    '__name__ == "__main__"': False,
    '"__main__" == __name__': False,
    'sys.platform != "win32" and __name__ == "__main__"': False,
    '__name__ == "__main__" and sys.argv': False,
    'sys.argv and sys.path and __name__ == "__main__"': False,
    'sys.platform != "win32" or __name__ == "__main__"': True,
    '__name__ == "__main__" or sys.argv': True,
    '__name__ != "__main__"': True,
}

PROBE = """
import importlib, json, sys
print(json.dumps([importlib.import_module(name).RAN for name in sys.argv[1:]]))
"""


def test_main_guards_match_the_interpreter(tmp_path: Path) -> None:
    """A body that does not run on import is the main block: its import binds nothing."""
    sources = {
        f"m{i}": f"import sys\nRAN = False\nif {test}:\n    RAN = True\n    import json\n"
        for i, test in enumerate(GUARDS)
    }
    write_tree(tmp_path, {f"{name}.py": text for name, text in sources.items()})
    ran = run_probe(tmp_path, PROBE, list(sources))
    assert ran == list(GUARDS.values())
    for runs, text in zip(ran, sources.values(), strict=True):
        facts = parse_source(text)
        assert (facts.imports[-1].where is Where.MAIN) is not runs, text
        assert ("json" in facts.bindings) is runs


def test_what_runs_before_a_main_guard_is_read() -> None:
    facts = parse_source('import os\nif os.sep and __name__ == "__main__" and os.path:\n    pass\n')
    assert [(e.name, e.attrs) for e in facts.events if isinstance(e, Access)] == [("os", ("sep",))]


def test_events_follow_execution_order() -> None:
    facts = parse_source("from pkg import a\nclass B(a.A):\n    pass\nX = 1\n")
    kinds = [type(e) for e in facts.events]
    assert kinds == [RunImport, Access, Bind, Bind]
    access = facts.events[1]
    assert isinstance(access, Access) and access.name == "a" and access.attrs == ("A",)


def test_try_structure_is_an_event_only_where_it_runs_on_import() -> None:
    source = "try:\n    import m\nexcept (ImportError, KeyError):\n    m = None\n"
    facts = parse_source(source)
    assert [type(e) for e in facts.events] == [TryStart, RunImport, TryHandler, Bind, TryEnd]
    assert facts.events[0] == TryStart(frozenset({"ImportError"}))
    guarded = parse_source('if __name__ == "__main__":\n' + textwrap.indent(source, "    "))
    assert guarded.error is None and guarded.events == ()


def test_function_bodies_produce_no_events() -> None:
    facts = parse_source("import m\ndef f():\n    return m.x\nlam = lambda: m.y\n")
    assert not any(isinstance(e, Access) for e in facts.events)


def test_all_forms() -> None:
    facts = parse_source(
        "from . import core\n__all__ = ['a']\n__all__ += ['b']\n__all__.extend(('c',))\n"
        "__all__.append('d')\n__all__ += core.__all__\n__all__.remove('a')\n"
    )
    assert [e.name for e in facts.all_entries] == ["b", "c", "d"]
    assert [s for s, _ in facts.all_sources] == ["core"]
    assert facts.all_complete and not facts.all_problems


def test_getattr_by_assignment_is_dynamic() -> None:
    assert parse_source("__getattr__ = make()\n").has_getattr
    assert parse_source("def __getattr__(name):\n    return name\n").has_getattr
    assert parse_source("globals().update(x=1)\n").dynamic
    assert parse_source("exec('x = 1')\n").dynamic


def test_namespace_calls_bind_only_what_runs_on_import() -> None:
    # Issue 13, item 9: a mention in a comment, a string or an uncalled function binds nothing.
    assert not parse_source("# globals() once\ns = 'exec(x)'\n").dynamic
    assert not parse_source("def f():\n    globals().update(x=1)\n").dynamic
    assert parse_source("def f():\n    globals().update(x=1)\nf()\n").dynamic
    literal = parse_source("globals()['x'] = 1\n")
    assert "x" in literal.bindings and not literal.dynamic


def test_noqa_comments() -> None:
    noqa = dict(scan_noqa("a = 1  # noqa\nb = 2  # noqa: IMP009, EXP001\nc = 3  # NOQA:F401\n"))
    assert noqa[1] is None
    assert noqa[2] == frozenset({"IMP009", "EXP001"})
    assert noqa[3] == frozenset({"F401"})


def test_sys_path_changes_found_through_aliases() -> None:
    facts = parse_source(
        "import sys as s\nfrom sys import path as p\n"
        "def f():\n    s.path.insert(0, 'x')\np.append('y')\ns.path = []\n"
    )
    assert [hack.span.line for hack in facts.path_hacks] == [4, 5, 6]


@pytest.mark.parametrize(
    "source",
    [
        "import os, \\\n    sys\nsys.path.insert(0, 'x')\n",
        "from sys import (\n    path,\n)\npath += ['x']\n",
        "import sys as _s\n_s.path[:0] = ['x']\n",
        "from site import addsitedir as add\nadd('x')\n",
    ],
)
def test_sys_path_changes_found_however_sys_is_imported(source: str) -> None:
    assert len(parse_source(source).path_hacks) == 1


def whole_file_walks(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The modules `ast.walk` or the facts' own `walk_nodes` is asked to walk whole from now
    on (a function's walk is not counted)."""
    walked: list[object] = []
    real_walk = ast.walk

    def walk(node: ast.AST) -> Iterator[ast.AST]:
        if isinstance(node, ast.Module):
            walked.append(node)
        return real_walk(node)

    def walk_nodes(node: ast.AST) -> list[ast.AST]:
        if isinstance(node, ast.Module):
            walked.append(node)
        return nodes.walk_nodes(node)

    monkeypatch.setattr(ast, "walk", walk)
    for module in (whole_tree, uses):
        monkeypatch.setattr(module, "walk_nodes", walk_nodes)
    return walked


def test_a_file_that_never_names_sys_is_not_walked_for_path_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `path = ...`, `path[...]` and `paths.append` are everywhere in real code; only a file
    # that imports sys (or names addsitedir) can change sys.path, so no other is walked.
    walked = whole_file_walks(monkeypatch)
    source = "import os\npath = os.getcwd()\nparts = path[1:]\npath.append('x')\n"
    assert parse_source(source).path_hacks == ()
    assert walked == []
