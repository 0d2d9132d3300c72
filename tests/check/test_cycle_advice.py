"""Cycle-breaking advice by what moving each import costs: how a module uses what an import
binds (facts.uses), the advice IMP002 and `scaffold graph` give, and that following it
makes the modules import in a real interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scaffold.check import CheckOptions, run_check
from scaffold.check.facts import parse_source
from scaffold.check.facts.uses import _named_outside_imports
from scaffold.check.graph_render import render_graph

Build = Callable[[Mapping[str, str | bytes]], Path]


@pytest.mark.parametrize(
    ("source", "use"),
    [
        ("from m import A\ndef f(x: A) -> None: ...\n", "annotations"),
        ("from m import A\nx: 'A'\n", "annotations"),
        ("from m import A\ndef f(x: 'list[A]') -> None: ...\n", "annotations"),
        ("from m import A\ndef f():\n    return A()\n", "functions"),
        ("from m import A\n# A is mentioned here\n", "functions"),  # cautious: text counts
        ("from m import A\nclass B(A): ...\n", "import-time"),
        ("from m import A\n@A\ndef f(): ...\n", "import-time"),
        ("from m import A\ndef f(x=A): ...\n", "import-time"),
        ("from m import A\nprint(A)\n", "import-time"),
        ("import m.sub\nm.sub.go()\n", "import-time"),
        ("from m import A\ndef f():\n    return A\nf()\n", "import-time"),  # f runs now
        ("from m import A\n__all__ = ['A']\n", "import-time"),
        ("from m import A as A\n", "import-time"),
        ("from m import A\n", "unused"),
        ("from m import A, B\ndef f(x: A):\n    return B\n", "functions"),  # the dearer
        ("from m import A, B\nclass C(B):\n    x: A\n", "import-time"),
    ],
)
def test_how_a_module_uses_what_an_import_binds(source: str, use: str) -> None:
    facts = parse_source(source)
    assert facts.import_uses[0] == use


def test_a_package_keeps_an_import_nothing_names_as_its_api() -> None:
    assert parse_source("from m import A\n", is_package=True).import_uses == ("import-time",)


def test_imports_that_bind_no_module_name_have_no_use() -> None:
    source = (
        "from __future__ import annotations\nfrom typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from m import A\ndef f():\n    import m\n    return m\n"
        "from m import *\n"
    )
    facts = parse_source(source)
    assert [imp.module for imp in facts.imports] == ["__future__", "typing", "m", "m", "m"]
    assert facts.import_uses == ("", "import-time", "", "", "")


# a's import of Base brings one name, but the class statement needs it when a runs; b's
# import brings two names that only annotations use. Counting names alone picks a's.
CYCLE = {
    "pkg/__init__.py": "",
    "pkg/a.py": (
        "from __future__ import annotations\n\nfrom pkg.b import Base\n\n__all__ = ['A']\n\n\n"
        "class A(Base):\n    def clone(self) -> A:\n        return A()\n"
    ),
    "pkg/b.py": (
        "from __future__ import annotations\n\nfrom pkg.a import A, clone_of\n\n"
        "__all__ = ['Base']\n\n\nclass Base:\n    def make(self) -> A | clone_of:\n"
        "        raise NotImplementedError\n"
    ),
}


def _imports(root: Path) -> subprocess.CompletedProcess[str]:
    code = "import pkg.a, pkg.b; print(pkg.a.A.__mro__[1].__name__)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False
    )


def test_the_advice_moves_the_import_only_annotations_use_and_python_agrees(
    tree: Build,
) -> None:
    root = tree(CYCLE)
    assert "ImportError" in _imports(root).stderr  # the cycle breaks `import pkg.a`
    [finding] = [
        d for d in run_check(CheckOptions(paths=(root,))).diagnostics if d.code == "IMP002"
    ]
    [advice] = [r for r in finding.related if r.message.startswith("to break the cycle")]
    assert (advice.path, advice.line) == ("pkg/b.py", 3)
    assert advice.message == (
        "to break the cycle, move this import of 'pkg.a' under `if TYPE_CHECKING:`: only"
        " annotations use it"
    )
    edges = json.loads(render_graph(root, "json"))["edges"]
    [broken] = [edge for edge in edges if edge["break"]]
    assert (broken["source"], broken["target"]) == ("pkg.b", "pkg.a")
    assert broken["advice"] == [advice.message]
    # Do what it says: the modules import, and no cycle is left.
    b = root / "pkg" / "b.py"
    b.write_text(
        b.read_text().replace(
            "from pkg.a import A, clone_of\n",
            "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
            "    from pkg.a import A, clone_of\n",
        )
    )
    done = _imports(root)
    assert done.returncode == 0 and done.stdout.strip() == "Base", done.stderr
    assert not [d for d in run_check(CheckOptions(paths=(root,))).diagnostics if d.code == "IMP002"]


def test_without_postponed_annotations_the_advice_says_to_add_them(tree: Build) -> None:
    root = tree(
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg.b import Base\n\n\nclass A(Base):\n    pass\n",
            "pkg/b.py": "from pkg.a import A\n\n\nclass Base:\n    def make(self) -> 'A': ...\n",
        }
    )
    [finding] = [
        d for d in run_check(CheckOptions(paths=(root,))).diagnostics if d.code == "IMP002"
    ]
    [advice] = [r.message for r in finding.related if r.message.startswith("to break the cycle")]
    assert "(with `from __future__ import annotations`)" in advice and "pkg/b.py" not in advice


_WORDS = st.sampled_from(["A", "AB", "BA", "Base", "m", "x", "f", "#", "'A'", "\n", " "])


@settings(max_examples=300, deadline=None)
@given(
    names=st.lists(st.sampled_from(["A", "AB", "Base"]), min_size=1, max_size=3, unique=True),
    body=st.lists(_WORDS, max_size=30),
    annotated=st.dictionaries(st.sampled_from(["A", "AB", "Base"]), st.integers(0, 3)),
)
def test_the_early_stopping_search_answers_as_counting_every_occurrence(
    names: list[str], body: list[str], annotated: dict[str, int]
) -> None:
    """The uses search stops at the first occurrence past the imports' and annotations'
    share; it must answer exactly as counting every occurrence in the text did."""
    imports = parse_source(f"from m.A import {', '.join(names)}\n").imports
    text = f"from m.A import {', '.join(names)}\n" + " ".join(body)
    said = " ".join(["m", "A", *names])
    named = _named_outside_imports(text, imports, Counter(annotated))
    for name in names:
        expected = text.count(name) - said.count(name) > annotated.get(name, 0)
        assert named(name) is expected
