"""`scaffold add module|package`: new files from the package template, registered in
`__init__.py`, all or nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scaffold.add import locate_package
from scaffold.cli import main
from tests.conftest import assert_refused, tree_snapshot


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    assert main(["new", "package", "foo", "--module", "bar", "--quiet"]) == 0
    return tmp_path / "foo"


def test_add_module_registers_it(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["add", "module", "util", "--to", "foo/foo"]) == 0
    out = capsys.readouterr().out
    assert "Added module foo.util" in out and "tests/test_util.py" in out
    init = (project / "foo" / "__init__.py").read_text()
    assert "from . import bar, util\n" in init
    assert '__all__ = ["__version__", "bar", "util"]' in init
    assert "from foo.util import greet" in (project / "tests" / "test_util.py").read_text()


def test_add_package_then_a_module_inside_it(project: Path) -> None:
    assert main(["add", "package", "plugins", "--to", "foo/foo", "-q"]) == 0
    assert main(["add", "module", "deep", "--to", "foo/foo/plugins", "-q"]) == 0
    sub_init = (project / "foo" / "plugins" / "__init__.py").read_text()
    assert "from . import deep\n" in sub_init
    assert '__all__ = ["deep", "greet"]' in sub_init
    assert "from foo.plugins.deep import greet" in (project / "tests" / "test_deep.py").read_text()


def test_a_taken_test_file_name_gets_a_qualified_one(project: Path) -> None:
    assert main(["add", "package", "plugins", "--to", "foo/foo", "-q"]) == 0
    assert main(["add", "module", "bar", "--to", "foo/foo/plugins", "-q"]) == 0
    assert (project / "tests" / "test_foo_plugins_bar.py").is_file()


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["add", "module", "bar", "--to", "foo/foo"], "already exists"),
        (["add", "module", "My-Mod", "--to", "foo/foo"], "'my_mod'"),
        (["add", "module", "class", "--to", "foo/foo"], "keyword"),
        (["add", "module", "x", "--to", "foo"], "not a package (no __init__.py)"),
        (["add", "module", "x", "--to", "nowhere"], "is not a folder"),
        (["add", "module", "x"], "Missing option '--to'"),
        # The rules `new package` applies to its members apply to what `add` registers:
        # a name __init__.py binds already (F811), a private name in __all__ (EXP004).
        (["add", "module", "__version__", "--to", "foo/foo"], "bound in the package's __init__"),
        (["add", "package", "__version__", "--to", "foo/foo"], "try 'version_tools'"),
        (["add", "module", "_hidden", "--to", "foo/foo"], "is private"),
    ],
)
def test_bad_add_is_one_line_and_writes_nothing(
    project: Path, argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert_refused(argv, fragment, project.parent, capsys)


@pytest.mark.parametrize(
    ("init", "name"),
    [
        ("from __future__ import annotations\n", "annotations"),
        ("from .core import main as main\n", "main"),
        ("import json\n", "json"),
        ("def setup() -> None: ...\n", "setup"),
        ("DEFAULTS: dict[str, int] = {}\n", "defaults"),
        ("class Plugin: ...\n", "plugin"),
    ],
)
def test_add_refuses_a_name_the_init_binds(
    project: Path, init: str, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    init_file = project / "foo" / "__init__.py"
    bound = init.replace("DEFAULTS", "defaults").replace("Plugin", "plugin")
    init_file.write_text(bound + init_file.read_text())
    assert_refused(
        ["add", "module", name, "--to", "foo/foo"], "bound in the package's", project.parent, capsys
    )


def test_add_force_over_its_own_module_is_not_a_collision(project: Path) -> None:
    # `from . import bar` binds the submodule itself: adding bar again with --force is fine.
    assert main(["add", "module", "bar", "--to", "foo/foo", "--force", "-q"]) == 0


@pytest.mark.parametrize(
    "extension",
    ['__all__ += ["extra"]\n', '__all__.extend(["extra"])\n', '__all__.append("extra")\n'],
    ids=["plus-equals", "extend", "append"],
)
def test_add_joins_the_first_list_of_an_extended_all(
    project: Path, extension: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 17, bug 9: the import used to be added and __all__ left alone (ruff F401).
    init = project / "foo" / "__init__.py"
    init.write_text(init.read_text() + "\nextra = 1\n\n" + extension)
    assert main(["add", "module", "util", "--to", "foo/foo"]) == 0
    assert "added 'util' to __all__" in capsys.readouterr().out
    text = init.read_text()
    assert '__all__ = ["__version__", "bar", "util"]' in text
    assert text.endswith(extension)
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "F,I,RUF022", str(init)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout
    # What the interpreter exports: the first list and its extension together.
    star = subprocess.run(
        [sys.executable, "-c", "import foo; print(sorted(foo.__all__))"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    assert star.stdout.strip() == "['__version__', 'bar', 'extra', 'util']"


def test_add_refuses_a_lazy_package(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    init = project / "foo" / "__init__.py"
    init.write_text(
        '"""Lazy."""\n\nimport importlib\n\n__all__ = ["bar"]\n\n\n'
        "def __getattr__(name: str) -> object:\n"
        "    return importlib.import_module(f'.{name}', __name__)\n"
    )
    assert_refused(["add", "module", "util", "--to", "foo/foo"], "lazily", project.parent, capsys)


def test_unparseable_init_is_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "foo" / "__init__.py").write_text("def (:\n")
    before = tree_snapshot(project.parent)
    assert main(["add", "module", "x", "--to", "foo/foo"]) == 2
    assert "does not parse" in capsys.readouterr().err
    assert tree_snapshot(project.parent) == before


def test_dry_run_writes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = tree_snapshot(project.parent)
    assert main(["add", "module", "util", "--to", "foo/foo", "--dry-run"]) == 0
    assert "Would add module foo.util" in capsys.readouterr().out
    assert tree_snapshot(project.parent) == before


@pytest.mark.parametrize("nth", [1, 2, 3])
def test_failure_midway_restores_init(
    project: Path, monkeypatch: pytest.MonkeyPatch, nth: int
) -> None:
    before = tree_snapshot(project.parent)
    real_replace = os.replace
    calls = {"n": 0}

    def flaky(src: Any, dst: Any) -> None:
        # Count only the moves into the project, not the staging shuffles.
        if str(dst).startswith(str(project)) and ".scaffold-" not in str(dst):
            calls["n"] += 1
            if calls["n"] == nth:
                raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(KeyboardInterrupt):
        from scaffold.add import add_to_package

        add_to_package("module", "util", project / "foo")
    assert tree_snapshot(project.parent) == before


def test_locate_package_in_a_namespace_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["new", "workspace", "ws", "--package", "core", "--namespace", "acme", "-q"]) == 0
    location = locate_package(tmp_path / "ws/packages/core/src/acme/core")
    assert location.dotted == "acme.core"
    assert location.project_root == tmp_path / "ws/packages/core"
    assert location.tests == tmp_path / "ws/packages/core/tests"


@pytest.mark.slow
def test_a_package_grown_by_several_adds_still_passes_its_checks(project: Path) -> None:
    for argv in (
        ["add", "module", "util", "--to", "foo/foo"],
        ["add", "package", "plugins", "--to", "foo/foo"],
        ["add", "module", "alpha", "--to", "foo/foo"],
        ["add", "module", "deep", "--to", "foo/foo/plugins"],
        ["add", "package", "nested", "--to", "foo/foo/plugins"],
    ):
        assert main([*argv, "-q"]) == 0
    assert main(["check", str(project)]) == 0
    for tool in (
        ["pytest", "-q", "-p", "no:cacheprovider"],
        ["ruff", "check", "--no-cache", "."],
        ["ruff", "format", "--check", "--no-cache", "."],
        ["mypy", "--strict", "--no-incremental"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", *tool], cwd=project, capture_output=True, text=True, check=False
        )
        assert proc.returncode == 0, f"{tool}:\n{proc.stdout}\n{proc.stderr}"
