"""Discovery: roots, module names, script folders, skips, configuration and suppression."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from scaffold.check import CheckOptions, run_check
from scaffold.check.discover import discover
from scaffold.cli import main
from scaffold.errors import UsageError

from .check_support import findings

Tree = Callable[[Mapping[str, str | bytes]], Path]
D = '"""Module."""\n'


def modules(root: Path) -> dict[str, str]:
    return {f.rel: f.key for f in discover(root).files}


def test_src_layout_and_workspace_members(tree: Tree) -> None:
    root = tree(
        {
            "pyproject.toml": "[project]\nname='x'\n",
            "src/app/__init__.py": D,
            "packages/core/pyproject.toml": "[project]\nname='core'\n",
            "packages/core/src/acme/core/__init__.py": D,
            "scripts/run.py": D,
            "noxfile.py": D,
        }
    )
    assert modules(root) == {
        "src/app/__init__.py": "app",
        "packages/core/src/acme/core/__init__.py": "acme.core",
        "scripts/run.py": "scripts:run",
        "noxfile.py": "noxfile",
    }


def test_skipped_folders(tree: Tree) -> None:
    root = tree(
        {
            ".hidden/a.py": D,
            "__pycache__/b.py": D,
            "venv/pyvenv.cfg": "",
            "venv/c.py": D,
            "build/d.py": D,
            "dist/e.py": D,
            "x.egg-info/f.py": D,
            "node_modules/g.py": D,
            "ignored/h.py": D,
            ".gitignore": "ignored/\n",
            ".git/HEAD": "",
            "kept.py": D,
        }
    )
    assert list(modules(root)) == ["kept.py"]


def test_build_output_skipped_but_a_package_named_build_kept(tree: Tree) -> None:
    # pip._internal.operations.build is a package; build/ beside setup.py is output.
    root = tree(
        {
            "build/lib/pkg/__init__.py": "broken (\n",
            "pkg/__init__.py": D,
            "pkg/build/__init__.py": D + "STEP = 1\n",
            "pkg/steps.py": D + "from pkg.build import STEP\n\nNEXT = STEP\n",
        }
    )
    assert findings(run_check(CheckOptions(paths=(root,)))) == []
    assert "pkg/build/__init__.py" in modules(root)


def test_exclude_from_config(tree: Tree) -> None:
    root = tree(
        {
            "pyproject.toml": '[tool.scaffold.check]\nexclude = ["legacy/**"]\n',
            "legacy/old.py": "import sys\nsys.path.insert(0, '.')\n",
            "new.py": D,
        }
    )
    assert list(modules(root)) == ["new.py"]
    # Naming an excluded folder explicitly still checks it.
    options = CheckOptions(paths=(root / "legacy",), select=("IMP008",))
    assert findings(run_check(options)) == ["IMP008 old.py:2"]


def test_path_inside_a_package_climbs_but_reports_only_path(tree: Tree) -> None:
    root = tree(
        {
            "pkg/__init__.py": D,
            "pkg/a.py": D + "from pkg.b import missing\n",
            "pkg/b.py": D + "print('x')\n",
        }
    )
    report = run_check(CheckOptions(paths=(root / "pkg" / "a.py",)))
    assert findings(report) == ["IMP006 a.py:2"]
    assert report.files == 1


def test_symlink_loop_is_skipped_with_a_note(tree: Tree) -> None:
    root = tree({"pkg/__init__.py": D})
    os.symlink(root, root / "pkg" / "loop")
    report = run_check(CheckOptions(paths=(root,)))
    assert report.files == 1
    assert any("loop" in note for note in report.notes)


def test_unreadable_folder_is_a_note(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree({"ok.py": D, "locked/secret.py": D})
    real = os.scandir

    def scandir(path: str | os.PathLike[str]) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    report = run_check(CheckOptions(paths=(root,)))
    assert report.files == 1
    assert any("locked" in note and "Permission denied" in note for note in report.notes)


def test_non_utf8_file_name(tree: Tree) -> None:
    root = tree({"pkg/__init__.py": D})
    name = os.fsencode(root / "pkg") + b"/caf\xe9.py"
    with open(name, "wb") as handle:
        handle.write(b"x = 1\n")
    report = run_check(CheckOptions(paths=(root,)))
    assert [d.code for d in report.diagnostics] == ["PKG003"]
    report.diagnostics[0].path.encode("utf-8")  # printable


def test_every_other_file_is_still_checked(tree: Tree) -> None:
    root = tree(
        {
            "a.py": b"def f(:\n",
            "b.py": b"\x00\x01",
            "c.py": b"x = '\xff'\n",
            "d.py": "x = " + "(" * 500 + ")" * 500 + "\n",
            "e.py": D + "print('still here')\n",
        }
    )
    assert findings(run_check(CheckOptions(paths=(root,)))) == [
        "IMP009 e.py:2",
        "SYN001 a.py:1",
        "SYN001 b.py:1",
        "SYN001 d.py:1",
        "SYN002 c.py:1",
    ]


def test_config_select_ignore_per_file_and_noqa(tree: Tree) -> None:
    root = tree(
        {
            "pyproject.toml": (
                "[tool.scaffold.check]\n"
                'ignore = ["IMP008"]\n'
                'per-file-ignores = { "scripts/*" = ["IMP009"] }\n'
            ),
            "scripts/run.py": D + "print('x')\n",
            "tool.py": D + "import sys\nsys.path.append('x')\nprint('x')  # noqa: IMP009\n",
            "other.py": D + "print('y')  # noqa\nprint('z')  # noqa: EXP001\n",
        }
    )
    assert findings(run_check(CheckOptions(paths=(root,)))) == ["IMP009 other.py:3"]
    # A command-line select replaces the file's; every ignore adds up, as ruff's do.
    cli = CheckOptions(paths=(root,), select=("IMP008", "IMP009"), ignore=())
    assert findings(run_check(cli)) == ["IMP009 other.py:3"]
    cli = CheckOptions(paths=(root,), select=("IMP009",), ignore=("IMP009",))
    assert findings(run_check(cli)) == []
    extended = CheckOptions(paths=(root,), extend_select=("IMP008",), ignore=("IMP0",))
    assert findings(run_check(extended)) == []


def test_member_config_applies_to_its_files(tree: Tree) -> None:
    root = tree(
        {
            "pyproject.toml": "[project]\nname='top'\n",
            "member/pyproject.toml": '[tool.scaffold.check]\nignore = ["IMP009"]\n',
            "member/m.py": D + "print('x')\n",
            "top.py": D + "print('x')\n",
        }
    )
    assert findings(run_check(CheckOptions(paths=(root,)))) == ["IMP009 top.py:2"]


@pytest.mark.parametrize(
    "config",
    [
        '[tool.scaffold.check]\nselect = ["NOPE1"]\n',
        "[tool.scaffold.check]\nignore = 3\n",
        '[tool.scaffold.check]\nunknown-key = ["x"]\n',
        '[tool]\nscaffold = "x"\n',
        "[tool.scaffold]\ncheck = 3\n",
    ],
)
def test_bad_config_is_a_usage_error(tree: Tree, config: str) -> None:
    root = tree({"pyproject.toml": config, "a.py": D})
    with pytest.raises(UsageError):
        run_check(CheckOptions(paths=(root,)))


def test_invalid_toml_is_a_finding(tree: Tree) -> None:
    root = tree({"pyproject.toml": "[project\nname = \n", "a.py": D})
    assert findings(run_check(CheckOptions(paths=(root,)))) == ["SYN001 pyproject.toml:1"]


def test_unknown_code_in_options_is_a_usage_error(tree: Tree) -> None:
    with pytest.raises(UsageError, match="'NOPE9'"):
        run_check(CheckOptions(paths=(tree({"a.py": D}),), select=("NOPE9",)))


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        run_check(CheckOptions(paths=(tmp_path / "nope",)))


def test_multiple_paths_share_a_base(tree: Tree) -> None:
    root = tree({"one/a.py": D + "print(1)\n", "two/b.py": D + "print(2)\n"})
    report = run_check(CheckOptions(paths=(root / "one", root / "two")))
    assert findings(report) == ["IMP009 one/a.py:2", "IMP009 two/b.py:2"]


def test_entry_points_of_a_workspace_member_with_src_layout(tree: Tree) -> None:
    root = tree(
        {
            "pyproject.toml": '[project]\nname = "top"\n',
            "packages/core/pyproject.toml": (
                '[project]\nname = "acme-core"\n\n[project.scripts]\n'
                'core = "acme.core.cli:main"\nbroken = "acme.core.cli:nope"\n'
            ),
            "packages/core/src/acme/core/__init__.py": D,
            "packages/core/src/acme/core/cli.py": D + "\n\ndef main() -> int:\n    return 0\n",
        }
    )
    assert findings(run_check(CheckOptions(paths=(root,)))) == [
        "ENT002 packages/core/pyproject.toml:6"
    ]


def test_bare_import_of_a_top_level_module_is_not_a_sibling_import(tree: Tree) -> None:
    root = tree(
        {
            "draw.py": D,
            "pkg/__init__.py": D,
            "pkg/draw.py": D,
            "pkg/game.py": D + "import draw\n\nUSED = draw\n",
        }
    )
    assert findings(run_check(CheckOptions(paths=(root,)))) == []


def test_noqa_in_pyproject_silences_entry_point_rules(tree: Tree) -> None:
    root = tree(
        {
            "pyproject.toml": (
                '[project]\nname = "x"\n\n[project.scripts]\nx = "x.cli:gone"  # noqa: ENT002\n'
            ),
            "x/__init__.py": D,
            "x/cli.py": D,
        }
    )
    assert findings(run_check(CheckOptions(paths=(root,)))) == []


def test_nested_folders_without_init_inside_a_package(tree: Tree) -> None:
    root = tree({"pkg/__init__.py": D, "pkg/a/b/x.py": D, "pkg/user.py": D + "import pkg.a.b.x\n"})
    assert modules(root)["pkg/a/b/x.py"] == "pkg.a.b.x"
    assert findings(run_check(CheckOptions(paths=(root,)))) == ["PKG001 pkg/a:1"]


def test_namespace_portions_merge_and_a_regular_package_wins(tree: Tree) -> None:
    root = tree(
        {
            "pyproject.toml": '[tool.scaffold.check]\nsrc = ["one", "two", "three"]\n',
            "one/acme/core/__init__.py": D,
            "two/acme/web/__init__.py": D + "from acme.core import *\n",
            "three/plain/__init__.py": D,
            "four/plain/extra.py": D,
        }
    )
    keys = modules(root)
    assert keys["one/acme/core/__init__.py"] == "acme.core"
    assert keys["two/acme/web/__init__.py"] == "acme.web"


def test_regular_package_hides_a_namespace_portion(tree: Tree) -> None:
    root = tree(
        {
            "pyproject.toml": '[tool.scaffold.check]\nsrc = ["one", "two"]\n',
            "one/acme/__init__.py": D,
            "two/acme/web/__init__.py": D,
        }
    )
    assert modules(root)["two/acme/web/__init__.py"] == "two/acme/web/__init__.py#file"


def test_absurdly_deep_import_chains_do_not_crash(tree: Tree) -> None:
    # Python itself raises RecursionError importing m0; the checker must still report.
    files: dict[str, str | bytes] = {"p/__init__.py": ""}
    for i in range(3000):
        files[f"p/m{i}.py"] = (f"from p.m{i + 1} import *\n" if i < 2999 else "") + f"V{i} = 1\n"
    report = run_check(CheckOptions(paths=(tree(files),), select=("IMP003", "EXP001")))
    assert report.files == 3001


def test_extend_select_turns_on_an_off_rule(tree: Tree) -> None:
    root = tree(
        {
            "pyproject.toml": '[tool.scaffold.check]\nextend-select = ["EXP007"]\n',
            "mod.py": D + 'b = a = 1\n__all__ = ["b", "a"]\nprint(a)\n',
        }
    )
    assert findings(run_check(CheckOptions(paths=(root,)))) == [
        "EXP007 mod.py:3",
        "IMP009 mod.py:4",
    ]


@pytest.mark.parametrize("repository", [True, False])
def test_a_pyproject_above_the_repository_does_not_configure_it(
    tree: Tree, repository: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    outer = tree(
        {
            "pyproject.toml": '[tool.scaffold.check]\nignore = ["IMP009"]\nfail-on = "error"\n',
            "repo/m.py": D + "print('x')\n",
        }
    )
    repo = outer / "repo"
    if repository:
        (repo / ".git").mkdir()
    found = findings(run_check(CheckOptions(paths=(repo,))))
    # Inside a repository the home folder's pyproject.toml is not the project's.
    assert found == (["IMP009 m.py:2"] if repository else [])
    assert main(["check", str(repo), "--select", "IMP009"]) == (1 if repository else 0)
    capsys.readouterr()
    assert (outer / ".scaffold_cache").exists() is not repository
