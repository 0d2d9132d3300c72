"""Property tests: generated sources and package trees never make the checker raise."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scaffold.check import CheckOptions, parse_source, run_check

from .check_support import write_tree

NAMES = st.sampled_from(["a", "b", "c", "core", "util", "_p", "class", "random", "x-y"])
MODULES = st.lists(NAMES, min_size=1, max_size=3).map(".".join)


@st.composite
def statements(draw: st.DrawFn) -> str:
    """One line of import-heavy Python, valid or not."""
    module = draw(MODULES)
    name = draw(NAMES)
    level = "." * draw(st.integers(0, 3))
    return draw(
        st.sampled_from(
            [
                f"import {module}",
                f"from {level}{module} import {name}",
                f"from {level} import {name}",
                f"from {module} import *",
                f"__all__ = [{name!r}, {name!r}]",
                f"__all__ += {module}.__all__",
                f"{name} = 1",
                f"class C({module}.{name}): pass",
                f"def __getattr__(n): return {name}",
                "import sys; sys.path.insert(0, 'x')",
                "if TYPE_CHECKING:\n    import typing",
                "print(1)",
                "def f(:",
                "\x00",
            ]
        )
    )


@st.composite
def trees(draw: st.DrawFn) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {}
    for _ in range(draw(st.integers(1, 8))):
        folder = draw(st.lists(NAMES, max_size=2))
        stem = draw(st.sampled_from(["__init__", "a", "b", "core", "__main__", "x-y", "types"]))
        suffix = draw(st.sampled_from([".py", ".py", ".py", ".pyi"]))
        body = "\n".join(draw(st.lists(statements(), max_size=6)))
        files["/".join([*folder, stem + suffix])] = body + "\n"
    if draw(st.booleans()):
        entry = draw(st.sampled_from(["a:main", "a.b", "x-y:z", "core:c.d [e]", ""]))
        files["pyproject.toml"] = f'[project]\nname = "a"\n[project.scripts]\ns = "{entry}"\n'
    return files


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees())
def test_checker_never_raises_on_generated_trees(files: dict[str, str | bytes]) -> None:
    # The tree one level down: a tree holding `__init__.py` is a package, whose cache goes
    # to the folder above it, which must be this example's too.
    folder = Path(tempfile.mkdtemp(prefix="scaffold-prop-"))
    root = folder / "tree"
    try:
        write_tree(root, files)
        report = run_check(CheckOptions(paths=(root,), select=("ALL", "EXP007")))
        assert report.files <= len(files)
        assert list(report.diagnostics) == sorted(report.diagnostics, key=lambda d: d.sort_key())
    finally:
        shutil.rmtree(folder, ignore_errors=True)


ERROR_KINDS = {"syntax", "invalid", "nesting", "size", "read", "decode"}


# hypothesmith compiles what it generates, and the compiler warns about odd code.
@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hypothesmith.from_grammar())
def test_parse_never_raises_on_valid_python(source: str) -> None:
    facts = parse_source(source)
    assert facts.error is None or facts.error.kind in ERROR_KINDS


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_parse_never_raises_on_bytes(data: bytes) -> None:
    facts = parse_source(data)
    assert facts.error is None or facts.error.kind in ERROR_KINDS
