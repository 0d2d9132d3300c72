"""End to end: render the package and module templates with several answer sets, then run
the generated project's own tests, linters and type checker, build its wheel, install it
into a fresh virtual environment and run its entry points."""

from __future__ import annotations

import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from scaffold.cli import main
from scaffold.generate.template_names import MEMBER_NAME_COLUMNS, PACKAGE_NAME_COLUMNS
from tests.conftest import (
    README_COMMANDS,
    ci_commands,
    install_wheel,
    run_ok,
    run_shell,
    tools_venv,
)

pytestmark = pytest.mark.slow


LONGEST_PACKAGE = "p" + "k" * (PACKAGE_NAME_COLUMNS - 3) + "g9"
LONGEST_MEMBER = "m" + "o" * (MEMBER_NAME_COLUMNS - 3) + "d1"


@dataclass(frozen=True)
class AnswerSet:
    id: str
    argv: tuple[str, ...]
    package: str
    scripts: tuple[str, ...]
    src: bool = False


ANSWER_SETS = [
    AnswerSet(
        "flat-two-modules", ("pkgone", "--module", "bar", "--module", "baz"), "pkgone", ("pkgone",)
    ),
    AnswerSet("bare", ("pkgbare",), "pkgbare", ("pkgbare",)),
    AnswerSet(
        "src-everything",
        (
            "pkg_two",
            "--layout",
            "src",
            "--module",
            "util",
            "--module",
            "core",
            "--subpackage",
            "plugins",
            "--subpackage",
            "io_tools",
            "--script",
            "pkg-two=cli:main",
            "--script",
            "pkg-two-util=util:run",
            "--script",
            "pkg2.alt=pkg_two.cli:alt",
            "--python",
            "3.12",
            "--license",
            "Apache-2.0",
            "--author",
            "Ada Lovelace",
            "--email",
            "ada@example.com",
            "--repository",
            "https://github.com/ada/pkg-two",
        ),
        "pkg_two",
        ("pkg-two", "pkg-two-util", "pkg2.alt"),
        src=True,
    ),
    AnswerSet(
        "tricky-text",
        (
            "pkgtricky",
            "--module",
            "types",
            "--license",
            "Proprietary",
            "--description",
            'Says "hi" \\o/ 🎉\nover two lines',
            "--author",
            'Zoë "Z" O\'Neil',
            "--email",
            "zoe.o-neil+pkg@example.co.uk",
            "--repository",
            "https://git.example.org:8443/zoë/tricky?view=1",
        ),
        "pkgtricky",
        ("pkgtricky",),
    ),
    # Leading and trailing underscores: the distribution and the script are `priv`.
    AnswerSet(
        "underscored",
        ("_priv", "--module", "__foo__", "--subpackage", "inner_"),
        "_priv",
        ("priv",),
    ),
    # Names next to the ones the templates bind (those are refused): they must work.
    AnswerSet(
        "near-collisions",
        (
            "pkgnear",
            "--module",
            "parser",
            "--module",
            "collections",
            "--module",
            "sequence",
            "--script",
            "near-args=cli:args",
            "--script",
            "near-run=parser:run",
            "--script",
            "near-argv=collections:argv",
        ),
        "pkgnear",
        ("near-args", "near-run", "near-argv"),
    ),
    # Names of the longest lengths accepted, digit runs ruff sorts naturally (mod9 before
    # mod10, a leading zero first) and a description far past the line length.
    AnswerSet(
        "long-and-numbered",
        (
            LONGEST_PACKAGE,
            "--module",
            "mod9",
            "--module",
            "mod10",
            "--module",
            "mod01",
            "--module",
            LONGEST_MEMBER,
            "--subpackage",
            "sub2",
            "--script",
            "long-a9=cli:run9",
            "--script",
            "long-a10=cli:run10",
            "--script",
            f"long-b=mod9:{LONGEST_MEMBER}",
            "--description",
            'Says "hi" \\o/ 🎉 and it\'s long: ' + "a description that goes on " * 12,
        ),
        LONGEST_PACKAGE,
        ("long-a9", "long-a10", "long-b"),
    ),
    AnswerSet(
        "bsd",
        ("pkgbsd", "--subpackage", "sub", "--license", "BSD-3-Clause", "--no-ci"),
        "pkgbsd",
        ("pkgbsd",),
    ),
]


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where every project is installed, from its wheel, with the test tools beside it."""
    return tools_venv(tmp_path_factory.mktemp("venv"))


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory, fresh_venv: Path) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("projects")
    dist = tmp_path_factory.mktemp("dist")
    made = {}
    for answers in ANSWER_SETS:
        dest = root / answers.id
        assert main(["new", "package", *answers.argv, "--dest", str(dest), "--quiet"]) == 0
        # The projects' tests import the installed package, as their CI's install makes
        # it: the template puts no source folder on pytest's path.
        install_wheel(fresh_venv, dest, dist)
        made[answers.id] = dest
    return made


def _bin(python: Path, name: str) -> Path:
    return python.parent / name


@pytest.mark.parametrize("answers", ANSWER_SETS, ids=[a.id for a in ANSWER_SETS])
def test_generated_project_passes_its_own_checks(
    answers: AnswerSet, projects: dict[str, Path], fresh_venv: Path
) -> None:
    project = projects[answers.id]
    commands = ci_commands(project)
    assert len(commands) == len(README_COMMANDS)
    for command in commands:
        run_shell(command, project, fresh_venv.parent)
    run_ok([sys.executable, "-m", "mypy", "--strict", "--no-incremental"], project)
    assert main(["check", str(project)]) == 0  # scaffold check: no findings


def test_pre_commit_hooks_pass_on_a_new_project(projects: dict[str, Path], tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(projects["src-everything"], project)
    run_ok(["git", "init", "-q"], project)
    run_ok(["git", "add", "-A"], project)
    home = f"PRE_COMMIT_HOME={shlex.quote(str(tmp_path / 'pre-commit-home'))}"
    run_shell(f"{home} {shlex.quote(sys.executable)} -m pre_commit run --all-files", project)


@pytest.mark.parametrize("answers", ANSWER_SETS, ids=[a.id for a in ANSWER_SETS])
def test_generated_wheel_installs_and_its_entry_points_run(
    answers: AnswerSet, projects: dict[str, Path], fresh_venv: Path, tmp_path: Path
) -> None:
    python = fresh_venv  # the `projects` fixture installed every wheel there
    for script in answers.scripts:
        out = run_ok([str(_bin(fresh_venv, script)), "Ada"], tmp_path).stdout
        assert "Hello, Ada" in out
        run_ok([str(_bin(fresh_venv, script)), "--help"], tmp_path)
    out = run_ok([str(python), "-m", answers.package, "--help"], tmp_path).stdout
    assert "usage:" in out
    star = run_ok(
        [
            str(python),
            "-c",
            f"from {answers.package} import *; "
            f"import {answers.package} as p; print(sorted(p.__all__))",
        ],
        tmp_path,
    ).stdout
    assert "__version__" in star


MODULE_SETS = [
    ("tool", ()),
    (
        LONGEST_MEMBER,
        ("--description", 'A "long" one \\o/ 🎉 that wraps: ' + "more words here " * 12),
    ),
]


@pytest.mark.parametrize(("module", "options"), MODULE_SETS, ids=["plain", "long"])
def test_module_template_passes_its_own_checks(
    module: str, options: tuple[str, ...], tmp_path: Path
) -> None:
    argv = ["new", "module", module, *options, "--dest", str(tmp_path), "--quiet"]
    assert main(argv) == 0
    run_ok([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], tmp_path)
    run_ok(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--no-cache",
            "--select",
            "E,F,W,I,B,UP,RUF,SIM",
            ".",
        ],
        tmp_path,
    )
    run_ok([sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "."], tmp_path)
    run_ok(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            f"{module}.py",
            f"test_{module}.py",
        ],
        tmp_path,
    )
    assert "Hello, Ada" in run_ok([sys.executable, f"{module}.py", "Ada"], tmp_path).stdout
