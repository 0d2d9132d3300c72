"""`scaffold check --import`: real imports in a subprocess, RUN001, timeouts and exits."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from scaffold.check import CheckOptions
from scaffold.check.runtime import import_packages, run_import_check
from scaffold.cli import main

Tree = Callable[[Mapping[str, str | bytes]], Path]


def _run001(root: Path, timeout: float = 10.0) -> dict[str, str]:
    report = run_import_check(CheckOptions(paths=(root,)), timeout=timeout)
    return {f"{d.path}:{d.line}": d.message for d in report.diagnostics if d.code == "RUN001"}


def test_failures_name_the_exception_and_the_module_that_raised(tree: Tree) -> None:
    root = tree(
        {
            "ok/__init__.py": '__all__ = ["x"]\nx = 1\n',
            "boom/__init__.py": 'from .inner import y\n\n__all__ = ["y"]\n',
            "boom/inner.py": "import json\n\ny = json.loads('{')\n",
            "missing/__init__.py": "import no_such_dependency_xyz\n",
            "noisy/__init__.py": 'print("hello")\nanswer = input()\n',
        }
    )
    found = _run001(root)
    assert set(found) == {"boom/inner.py:3", "missing/__init__.py:1", "noisy/__init__.py:2"}
    assert "importing 'boom' fails: JSONDecodeError" in found["boom/inner.py:3"]
    assert "raised in boom/inner.py:3" in found["boom/inner.py:3"]
    assert (
        "ModuleNotFoundError: No module named 'no_such_dependency_xyz'"
        in (found["missing/__init__.py:1"])
    )
    assert "EOFError" in found["noisy/__init__.py:2"]  # stdin is closed; prints go nowhere


def test_a_hang_or_an_exit_is_reported_and_the_rest_still_imported(tree: Tree) -> None:
    root = tree(
        {
            "a_hang/__init__.py": "import time\nwhile True:\n    time.sleep(0.1)\n",
            "b_quit/__init__.py": "import os\nos._exit(3)\n",
            "c_exit/__init__.py": "import sys\nsys.exit(4)\n",
            "d_fine/__init__.py": '__all__ = ["x"]\nx = 1\n',
        }
    )
    started = time.monotonic()
    found = _run001(root, timeout=1.0)
    assert time.monotonic() - started < 8
    assert "did not finish within 1 s" in found["a_hang/__init__.py:1"]
    assert "exited with code 3" in found["b_quit/__init__.py:1"]
    assert "SystemExit: 4" in found["c_exit/__init__.py:2"]
    assert not any(path.startswith("d_fine") for path in found)


def test_star_import_is_compared_with_the_static_all(tree: Tree) -> None:
    root = tree(
        {
            "dyn/__init__.py": '__all__ = ["a"]\na = b = 1\nglobals()["__all__"] += ["b"]\n',
            "same/__init__.py": "from .core import *\nfrom .core import __all__ as _core\n"
            '__all__ = ["c"]\n__all__ += core.__all__\nc = 1\n',
            "same/core.py": '__all__ = ["d"]\nd = 1\n',
        }
    )
    found = _run001(root)
    assert found == {
        "dyn/__init__.py:1": "at run time `from dyn import *` binds b which the static __all__"
        " does not list"
    }


def test_the_checked_roots_come_first_on_sys_path(tree: Tree) -> None:
    # A package named like an installed one: the checked copy must be the one imported.
    root = tree({"pytest/__init__.py": "raise RuntimeError('the local copy')\n"})
    outcome = import_packages(["pytest"], [root])["pytest"]
    assert outcome.error == "RuntimeError: the local copy"


def test_import_option_json_and_select(
    tree: Tree, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree({"pkg/__init__.py": "raise ValueError('no')\n"})
    monkeypatch.chdir(root)
    assert main(["check", ".", "--import", "--format", "json"]) == 1
    diagnostics = json.loads(capsys.readouterr().out)["diagnostics"]
    assert [(d["code"], d["name"], d["path"]) for d in diagnostics] == [
        ("RUN001", "runtime-import-failure", "pkg/__init__.py")
    ]
    assert main(["check", ".", "--import", "--ignore", "RUN"]) == 0
    capsys.readouterr()
    assert main(["check", "."]) == 0  # never on without --import
    assert main(["rule", "RUN001"]) == 0
    assert "--import" in capsys.readouterr().out


_BACKGROUND = """
import os, subprocess, sys
# A background child that outlives the import and holds every inherited descriptor.
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], close_fds=False)
"""
_SCRIBBLER = """
import os
for fd in range(3, 64):  # writes into whatever descriptors the interpreter inherited
    try:
        os.write(fd, b'{"module": "a_ok", "error": "forged"}\\nnot json\\n')
    except OSError:
        pass
"""


def test_a_package_that_forks_or_scribbles_is_contained(tree: Tree) -> None:
    root = tree(
        {
            "a_ok/__init__.py": '__all__ = ["x"]\nx = 1\n',
            "b_forks/__init__.py": _BACKGROUND,
            "c_scribbles/__init__.py": _SCRIBBLER,
            "d_exits/__init__.py": _BACKGROUND + "os._exit(5)\n",
            "e_ok/__init__.py": '__all__ = ["y"]\ny = 1\n',
        }
    )
    before = _descendants()
    outcomes = import_packages(["a_ok", "b_forks", "c_scribbles", "d_exits", "e_ok"], [root])
    assert {name: o.error for name, o in outcomes.items()} == {
        "a_ok": None,
        "b_forks": None,
        "c_scribbles": None,
        "d_exits": "the interpreter exited with code 5 during the import",
        "e_ok": None,
    }
    assert outcomes["e_ok"].star == ("y",)
    assert _descendants() == before  # every background child was killed


def test_a_package_that_scribbles_half_a_line_does_not_hide_its_result(tree: Tree) -> None:
    # Bytes with no line end before the driver's record made one unreadable line of both:
    # the package was reported as having exited during its import.
    torn = _SCRIBBLER.replace("\\nnot json\\n", "\\nhalf a line")
    root = tree({"a_ok/__init__.py": "", "tears/__init__.py": torn, "z_ok/__init__.py": ""})
    outcomes = import_packages(["tears", "z_ok"], [root])
    assert {name: o.error for name, o in outcomes.items()} == {"tears": None, "z_ok": None}


def _descendants() -> set[int]:
    """The pids of this process's children and their children (from /proc)."""
    found: set[int] = set()
    parents = {os.getpid()}
    changed = True
    while changed:
        changed = False
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) in found:
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rpartition(")")[2].split()
            if fields[0] != "Z" and int(fields[1]) in parents:
                found.add(int(entry.name))
                parents.add(int(entry.name))
                changed = True
    return found


def test_a_name_all_lists_but_the_package_lacks_is_reported_at_the_package(tree: Tree) -> None:
    # The star import runs in an exec of `<string>`, whose realpath lies in the checked root
    # (the child's working folder): the finding named the file `<string>`, which is none.
    root = tree({"lacks/__init__.py": '__all__ = ["x", "nothere"]\nx = 1\n'})
    found = _run001(root)
    assert list(found) == ["lacks/__init__.py:1"], found
    assert "has no attribute 'nothere'" in found["lacks/__init__.py:1"]
    assert "<string>" not in found["lacks/__init__.py:1"]
