"""`scaffold check --fix/--diff`: each fix on small files, then on real trees with defects."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from scaffold.check import CheckOptions
from scaffold.check.fix import run_fixes
from scaffold.cli import main

from .check_support import DEFAULT, check, findings

Tree = Callable[[Mapping[str, str | bytes]], Path]
SITE = Path(pytest.__file__).resolve().parents[1]  # the venv's site-packages
ALL_RULES = (*DEFAULT, "EXP007")


def _fix(path: Path, *, unsafe: bool = False, write: bool = True) -> int:
    options = CheckOptions(paths=(path,), select=ALL_RULES)
    return run_fixes(options, unsafe=unsafe, write=write).fixed


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*.py"))
        if "__pycache__" not in p.parts
    }


# --- one fix at a time ---------------------------------------------------------------------------


def test_exp003_drops_the_repeat_and_keeps_comments(tree: Tree) -> None:
    root = tree(
        {
            "mod.py": '__all__ = [\n    "a",  # first\n    "b",\n    "a",\n]  # end\n\na = b = 1\n',
            "tup.py": '__all__ = ("a", "b", "a")\na = b = 1\n',
        }
    )
    # Dropping the repeats also sorts both lists: their EXP007 findings go too.
    assert _fix(root) == 4
    assert (root / "mod.py").read_text() == (
        '__all__ = [\n    "a",  # first\n    "b",\n]  # end\n\na = b = 1\n'
    )
    assert (root / "tup.py").read_text() == '__all__ = ("a", "b")\na = b = 1\n'


def test_exp007_sorts_like_ruf022_only_when_selected(tree: Tree) -> None:
    root = tree({"mod.py": '__all__ = ["save", "Loader", "MAX", "x10", "x9"]\n'})
    run_fixes(CheckOptions(paths=(root,)))
    assert (root / "mod.py").read_text() == '__all__ = ["save", "Loader", "MAX", "x10", "x9"]\n'
    assert _fix(root) == 1
    assert (root / "mod.py").read_text() == '__all__ = ["MAX", "Loader", "save", "x9", "x10"]\n'


def test_exp007_with_comments_between_items_is_left_to_a_human(tree: Tree) -> None:
    text = '__all__ = [\n    "b",  # why b\n    "a",\n]\na = b = 1\n'
    root = tree({"mod.py": text})
    assert _fix(root) == 0
    assert (root / "mod.py").read_text() == text


def test_exp005_lists_what_star_import_binds_today(tree: Tree) -> None:
    root = tree(
        {
            # Re-exports only: an `__init__.py` with code of its own is not EXP005's.
            "pkg/__init__.py": '"""Doc."""\n\nimport os\n'
            "from .core import load as _load, run, save\nfrom . import draw\n",
            "pkg/core.py": "from pkg import helpers\n\ndef load() -> None: ...\n"
            "def save() -> None: ...\ndef run() -> None: ...\n",
            "pkg/draw.py": "",
            "pkg/helpers.py": "",
            "pkg/unused.py": "",
        }
    )
    assert _fix(root) == 1
    text = (root / "pkg/__init__.py").read_text()
    assert text.endswith(
        'from . import draw\n\n__all__ = ["core", "draw", "helpers", "os", "run", "save"]\n'
    )
    assert _star_names(root, "pkg") == ["core", "draw", "helpers", "os", "run", "save"]


def test_imp004_rewrites_to_relative_keeping_aliases(tree: Tree) -> None:
    root = tree(
        {
            "pkg/__init__.py": "",
            "pkg/draw.py": "def f() -> int:\n    return 1\n",
            "pkg/game.py": "import os, draw as d, sys  # c\nfrom draw import f as g\n"
            "import draw\n\ntry:\n    import draw\nexcept ImportError:\n    pass\n",
        }
    )
    assert _fix(root) == 3  # the `try` import is a deliberate choice: not reported, not fixed
    assert (root / "pkg/game.py").read_text() == (
        "import os\nfrom . import draw as d\nimport sys  # c\nfrom .draw import f as g\n"
        "from . import draw\n\ntry:\n    import draw\nexcept ImportError:\n    pass\n"
    )


def test_exp006_only_with_unsafe_fixes(tree: Tree) -> None:
    files = {
        "pkg/__init__.py": 'from .core import load, save\n\n__all__ = ["load"]\n',
        "pkg/core.py": "def load() -> None: ...\ndef save() -> None: ...\n",
    }
    root = tree(files)
    assert _fix(root) == 0
    assert _fix(root, unsafe=True) == 1
    assert (root / "pkg/__init__.py").read_text().endswith('__all__ = ["load", "save"]\n')


def test_fix_keeps_encoding_bom_and_crlf(tree: Tree) -> None:
    latin = '# -*- coding: latin-1 -*-\r\n__all__ = ["caf\xe9", "b", "b"]\r\ncaf\xe9 = b = 1\r\n'
    root = tree(
        {
            "latin.py": latin.encode("latin-1"),
            "bom.py": b'\xef\xbb\xbf__all__ = ["a", "a"]\na = 1\n',
        }
    )
    assert _fix(root) == 3
    fixed = latin.replace('["caf\xe9", "b", "b"]', '["b", "caf\xe9"]').encode("latin-1")
    assert (root / "latin.py").read_bytes() == fixed
    assert (root / "bom.py").read_bytes() == b'\xef\xbb\xbf__all__ = ["a"]\na = 1\n'


def test_diff_writes_nothing_and_exits_1(
    tree: Tree, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree({"mod.py": '__all__ = ["a", "a"]\na = 1\n'})
    monkeypatch.chdir(root)
    assert main(["check", ".", "--diff"]) == 1
    captured = capsys.readouterr()
    assert captured.out == (
        "--- a/mod.py\n+++ b/mod.py\n@@ -1,2 +1,2 @@\n"
        '-__all__ = ["a", "a"]\n+__all__ = ["a"]\n a = 1\n'
    )
    assert "Would fix 1 finding." in captured.err
    assert (root / "mod.py").read_text() == '__all__ = ["a", "a"]\na = 1\n'


def test_fix_summary_says_fixed_and_remaining(
    tree: Tree, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree({"mod.py": '__all__ = ["a", "a", "_b"]\na = _b = 1\n'})
    monkeypatch.chdir(root)
    assert main(["check", ".", "--fix", "--select", "EXP003,EXP004"]) == 1
    out = capsys.readouterr().out
    assert "EXP004" in out and "EXP003" not in out
    assert out.rstrip().endswith("Fixed 1 finding, 1 remaining.")
    assert main(["check", ".", "--fix", "--ignore", "EXP004"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("Fixed 0 findings, 0 remaining.")


def test_fix_never_writes_a_file_that_does_not_parse(tree: Tree) -> None:
    # A line continuation inside the list: dropping the item must not leave a dangling `\`.
    text = '__all__ = ["a", \\\n    "a"]\na = 1\n'
    root = tree({"mod.py": text})
    _fix(root)
    ast.parse((root / "mod.py").read_text())


# --- real trees from the package index ----------------------------------------------------------


def _star_names(root: Path, *modules: str) -> list[str] | dict[str, list[str]]:
    code = (
        "import json, sys\n"
        "result = {}\n"
        "for name in sys.argv[1:]:\n"
        "    ns = {}\n"
        "    exec(f'from {name} import *', ns)\n"
        "    result[name] = sorted(k for k in ns if k != '__builtins__')\n"
        "print(json.dumps(result))\n"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(root)!r})\n{code}",
         *modules],
        capture_output=True, text=True, check=True, cwd=root,
    )  # fmt: skip
    result: dict[str, list[str]] = json.loads(done.stdout)
    return result[modules[0]] if len(modules) == 1 else result


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path}: the injection point moved"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _all_node(path: Path) -> ast.List:
    for stmt in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(stmt, ast.Assign) and getattr(stmt.targets[0], "id", "") == "__all__":
            assert isinstance(stmt.value, ast.List)
            return stmt.value
    raise AssertionError(f"{path} has no __all__ list")


@pytest.fixture
def real_tree(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    for name in ("pathspec", "platformdirs", "packaging"):
        if not (SITE / name).is_dir():
            pytest.skip(f"{name} is not installed")
        shutil.copytree(SITE / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _inject(root: Path) -> None:
    """A duplicate, an unsorted __all__, bare sibling imports and a missing __all__."""
    lines = (root / "packaging/specifiers.py").read_text(encoding="utf-8").splitlines(True)
    node = _all_node(root / "packaging/specifiers.py")
    first = lines[node.elts[0].lineno - 1]
    lines.insert(node.elts[-1].end_lineno or 0, first)  # a repeat of the first name, last
    (root / "packaging/specifiers.py").write_text("".join(lines), encoding="utf-8")
    errors = root / "packaging/errors.py"
    _replace(errors, '__all__ = ["ExceptionGroup"]', '__all__ = ["ExceptionGroup", "AAA"]\nAAA = 1')
    _replace(root / "packaging/markers.py", "from .utils import canonicalize_name",
             "from utils import canonicalize_name")  # fmt: skip
    with (root / "packaging/markers.py").open("a", encoding="utf-8") as handle:
        handle.write("import _structures as _s  # injected\n")
    init = root / "platformdirs/__init__.py"
    node = _all_node(init)
    lines = init.read_text(encoding="utf-8").splitlines(True)
    statement_start = node.lineno - 1
    del lines[statement_start : node.end_lineno]
    init.write_text("".join(lines), encoding="utf-8")


def test_fix_on_real_trees_with_injected_defects(real_tree: Path) -> None:
    root = real_tree
    pristine = _snapshot(root)
    baseline = set(findings(check(root, "EXP007")))
    markers_before = _star_names(root, "packaging.markers")
    _inject(root)
    injected = _snapshot(root)
    star_before = _star_names(root, "platformdirs", "pathspec.patterns")
    found = findings(check(root, "EXP007"))
    for code in ("EXP003", "EXP005", "EXP007", "IMP004"):
        assert any(f.startswith(code) for f in found), code

    fixed = _fix(root)
    assert fixed >= 6
    after = _snapshot(root)
    remaining = set(findings(check(root, "EXP007")))
    # The injected and pre-existing fixable findings are gone; nothing new appeared.
    assert {f.split()[0] for f in remaining} <= {"EXP006", "IMP009"}
    assert remaining <= baseline
    # Every file still parses; files nobody touched kept every byte.
    for rel, data in after.items():
        ast.parse(data)
        if injected[rel] == pristine[rel] and rel not in (
            "pathspec/patterns/__init__.py",
            "platformdirs/version.py",
        ):
            assert data == pristine[rel], rel
    # The bare imports came back to exactly the original relative form.
    markers = after["packaging/markers.py"].decode()
    assert markers == pristine["packaging/markers.py"].decode() + (
        "from . import _structures as _s  # injected\n"
    )
    # Nothing changes for users of `from pkg import *`.
    star_after = _star_names(root, "platformdirs", "pathspec.patterns")
    assert isinstance(star_after, dict) and isinstance(star_before, dict)
    assert star_after["pathspec.patterns"] == star_before["pathspec.patterns"]
    # platformdirs' `__init__.py` holds code of its own, so EXP005 leaves it as injected.
    assert after["platformdirs/__init__.py"] == injected["platformdirs/__init__.py"]
    assert star_after["platformdirs"] == star_before["platformdirs"]
    assert _star_names(root, "packaging.markers") == markers_before
    # Idempotent: a second run changes nothing.
    assert _fix(root) == 0
    assert _snapshot(root) == after
    modules = ["packaging." + p.stem for p in (root / "packaging").glob("[a-z]*.py")]
    subprocess.run(
        [sys.executable, "-I", "-c",
         f"import sys, importlib; sys.path.insert(0, {str(root)!r})\n"
         f"for m in {sorted(modules)!r} + ['pathspec', 'platformdirs']:\n"
         "    importlib.import_module(m)"],
        check=True, cwd=root,
    )  # fmt: skip


def test_unsafe_fixes_on_a_real_tree_export_what_was_leaked(real_tree: Path) -> None:
    before = _star_names(real_tree, "pathspec")
    assert _fix(real_tree, unsafe=True) >= 2
    assert not [f for f in findings(check(real_tree, "EXP007")) if f.startswith("EXP006")]
    assert set(_star_names(real_tree, "pathspec")) - set(before) == {"iter_tree", "match_files"}
