"""The game template: render it with plain Copier, check the files it writes, and (slow) run
the generated project's own tests, linters and type checker, build and install its wheel,
and run its console script."""

from __future__ import annotations

import ast
import sys
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped,unused-ignore]
from copier import run_copy

from scaffold.cli import main as scaffold_main
from tests.conftest import (
    README_COMMANDS,
    ci_commands,
    install_wheel,
    run_ok,
    run_shell,
    tools_venv,
)

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "game"


@dataclass(frozen=True)
class AnswerSet:
    id: str
    data: Mapping[str, str] = field(default_factory=dict)

    @property
    def package(self) -> str:
        return self.data["package"]

    @property
    def distribution(self) -> str:
        return self.data.get("distribution", self.package.replace("_", "-"))


TRICKY_DESCRIPTION = 'Says "hi" \\o/ 🏓 {{ not_jinja }}\nover two lines'
TRICKY_AUTHOR = 'Zoë "Z" O\'Neil'

ANSWER_SETS = [
    AnswerSet("defaults", {"package": "mygame"}),
    AnswerSet(
        "tricky-text",
        {"package": "pong_2", "description": TRICKY_DESCRIPTION, "author": TRICKY_AUTHOR},
    ),
    AnswerSet(
        "proprietary-dotted-dist",
        {"package": "ping_prop", "distribution": "ping.prop", "license": "Proprietary"},
    ),
    AnswerSet(
        "python-3.12-no-ci",
        {
            "package": "pong312",
            "python": "3.12",
            "license": "Apache-2.0",
            "ci": "none",
            "email": "ada@example.com",
            "repository": "https://codeberg.org/ada/pong312",
        },
    ),
]

EXPECTED_FILES = {
    ".copier-answers.yml",
    ".github/workflows/ci.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    "LICENSE",
    "README.md",
    "pyproject.toml",
    "{pkg}/__init__.py",
    "{pkg}/__main__.py",
    "{pkg}/draw.py",
    "{pkg}/game.py",
    "{pkg}/py.typed",
    "tests/test_demo.py",
    "tests/test_draw.py",
    "tests/test_game.py",
}


@pytest.fixture(scope="module")
def copier_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep the user's Copier settings (defaults, a `trust:` list) out of every render."""
    home = tmp_path_factory.mktemp("copier-home")
    settings = home / "settings.yml"
    settings.write_text("{}\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COPIER_SETTINGS_PATH", str(settings))
        yield


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, copier_settings: None) -> dict[str, Path]:
    """Every answer set rendered once, by plain Copier, shared by all tests here."""
    projects = {}
    for answers in ANSWER_SETS:
        destination = tmp_path_factory.mktemp("game") / answers.package
        run_copy(
            str(TEMPLATE),
            destination,
            data=dict(answers.data),
            defaults=True,
            unsafe=False,
            quiet=True,
            vcs_ref=None,
        )
        projects[answers.id] = destination
    return projects


def _python_files(project: Path) -> list[Path]:
    return sorted(project.rglob("*.py"))


def _module_all(tree: ast.Module) -> list[str] | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id == "__all__":
            names = ast.literal_eval(value)
            assert isinstance(names, list)
            return names
    return None


def _ruff_sorted(names: list[str]) -> list[str]:
    # RUF022's "isort-style" order: SCREAMING_CASE, then CamelCase, then the rest.
    return sorted(
        names, key=lambda name: (0 if name.isupper() else 1 if name[0].isupper() else 2, name)
    )


# --- fast: what the template writes -------------------------------------------------------


def test_template_needs_no_trust() -> None:
    config = yaml.safe_load((TEMPLATE / "copier.yml").read_text(encoding="utf-8"))
    assert not {"_tasks", "_migrations", "_jinja_extensions"} & set(config)
    assert config["_subdirectory"] == "template"
    assert config["_answers_file"] == ".copier-answers.yml"
    questions = {key for key in config if not key.startswith("_")}
    assert questions == {
        "package",
        "distribution",
        "description",
        "author",
        "email",
        "repository",
        "license",
        "python",
        "ci",
        "scaffold_version",
        "python_versions",
    }
    assert config["python_versions"]["when"] is False
    assert "when" not in config["scaffold_version"]


@pytest.mark.parametrize("answers", ANSWER_SETS, ids=lambda a: a.id)
def test_writes_exactly_the_expected_files(rendered: dict[str, Path], answers: AnswerSet) -> None:
    project = rendered[answers.id]
    written = {
        path.relative_to(project).as_posix() for path in project.rglob("*") if path.is_file()
    }
    expected = {name.format(pkg=answers.package) for name in EXPECTED_FILES}
    if answers.data.get("ci") == "none":
        expected.remove(".github/workflows/ci.yml")
    assert written == expected


@pytest.mark.parametrize("answers", ANSWER_SETS, ids=lambda a: a.id)
def test_pyproject_is_valid_toml_with_the_answers(
    rendered: dict[str, Path], answers: AnswerSet
) -> None:
    text = (rendered[answers.id] / "pyproject.toml").read_text(encoding="utf-8")
    project = tomllib.loads(text)["project"]
    description = answers.data.get("description", "A two-module terminal ping-pong game.")
    assert project["name"] == answers.distribution
    assert project["description"] == " ".join(description.split())  # metadata is one line
    assert project["requires-python"] == ">=" + answers.data.get("python", "3.11")
    license_ = answers.data.get("license", "MIT")
    assert project["license"] == (
        "LicenseRef-Proprietary" if license_ == "Proprietary" else license_
    )
    if "author" in answers.data:
        assert project["authors"] == [{"name": answers.data["author"]}]
    elif "email" in answers.data:
        assert project["authors"] == [{"email": answers.data["email"]}]
    else:
        assert "authors" not in project
    if "repository" in answers.data:
        url = answers.data["repository"]
        assert project["urls"] == {"Homepage": url, "Repository": url, "Issues": url + "/issues"}
    else:
        assert "urls" not in project  # never a made-up address
    assert project["scripts"] == {answers.distribution: f"{answers.package}.game:main"}
    assert project["dependencies"] == ["windows-curses>=2.3; sys_platform == 'win32'"]


@pytest.mark.parametrize("answers", ANSWER_SETS, ids=lambda a: a.id)
def test_answers_are_recorded(rendered: dict[str, Path], answers: AnswerSet) -> None:
    text = (rendered[answers.id] / ".copier-answers.yml").read_text(encoding="utf-8")
    recorded = yaml.safe_load(text)
    assert recorded["_src_path"] == str(TEMPLATE)
    assert recorded["scaffold_version"] == "0.0.0"
    for key, value in answers.data.items():
        assert recorded[key] == value


@pytest.mark.parametrize("answers", ANSWER_SETS, ids=lambda a: a.id)
def test_every_module_parses_and_has_a_docstring_and_a_sorted_all(
    rendered: dict[str, Path], answers: AnswerSet
) -> None:
    for path in _python_files(rendered[answers.id]):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        docstring = ast.get_docstring(tree)
        assert docstring, f"{path.name} has no docstring"
        assert "\n" not in docstring.strip().splitlines()[0]
        exported = _module_all(tree)
        assert exported is not None, f"{path.name} has no __all__"
        assert exported == _ruff_sorted(exported), path.name


def test_package_exports_its_modules_and_version(rendered: dict[str, Path]) -> None:
    tree = ast.parse((rendered["defaults"] / "mygame" / "__init__.py").read_text())
    assert _module_all(tree) == ["__version__", "draw", "game"]


def test_no_bare_sibling_imports_and_no_import_time_curses(rendered: dict[str, Path]) -> None:
    package = rendered["defaults"] / "mygame"
    siblings = {path.stem for path in package.glob("*.py")}
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [(node.module or "").split(".")[0]]
            else:
                continue
            assert not set(names) & siblings, f"{path.name}:{node.lineno} bare sibling import"
        # Module level, `if TYPE_CHECKING:` blocks included; functions may import curses.
        for statement in tree.body:
            if isinstance(statement, ast.FunctionDef | ast.ClassDef):
                continue
            for node in ast.walk(statement):
                if isinstance(node, ast.Import):
                    assert "curses" not in {alias.name for alias in node.names}, path.name
                elif isinstance(node, ast.ImportFrom):
                    assert node.module != "curses", path.name


def test_game_imports_its_drawing_relatively(rendered: dict[str, Path]) -> None:
    game = ast.parse((rendered["defaults"] / "mygame" / "game.py").read_text())
    relative = [
        node.module for node in game.body if isinstance(node, ast.ImportFrom) and node.level == 1
    ]
    assert relative == ["draw"]


def test_readme_explains_the_split_and_the_demo(rendered: dict[str, Path]) -> None:
    readme = (rendered["tricky-text"] / "README.md").read_text(encoding="utf-8")
    assert TRICKY_DESCRIPTION in readme
    for needle in (
        "from .draw import draw_game",
        "from draw import draw_game",
        "pong-2 --demo --frames",
        "python -m pong_2",
        "python -m pytest",
        "game.py",
        "draw.py",
    ):
        assert needle in readme


@pytest.mark.parametrize(
    "package", ["My-Game", "Game", "1game", "class", "my game", "pong-2", "__main__", ""]
)
def test_invalid_package_names_are_refused(
    tmp_path: Path, copier_settings: None, package: str
) -> None:
    with pytest.raises(ValueError, match="question 'package'"):
        run_copy(
            str(TEMPLATE),
            tmp_path / "out",
            data={"package": package},
            defaults=True,
            unsafe=False,
            quiet=True,
            vcs_ref=None,
        )
    assert not (tmp_path / "out" / "pyproject.toml").exists()


@pytest.mark.parametrize("python", ["3.10", "3", "3.12.1", "py312"])
def test_invalid_python_versions_are_refused(
    tmp_path: Path, copier_settings: None, python: str
) -> None:
    with pytest.raises(ValueError, match="question 'python'"):
        run_copy(
            str(TEMPLATE),
            tmp_path / "out",
            data={"package": "mygame", "python": python},
            defaults=True,
            unsafe=False,
            quiet=True,
            vcs_ref=None,
        )


# --- slow: the generated project keeps its own promises -----------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("answers", ANSWER_SETS, ids=lambda a: a.id)
def test_generated_project_passes_its_checks_builds_installs_and_runs(
    rendered: dict[str, Path], answers: AnswerSet, tmp_path: Path
) -> None:
    project = rendered[answers.id]
    # The project's CI installs it and runs its commands; its tests import the
    # installed game (the template puts no source folder on pytest's path).
    env_python = tools_venv(tmp_path / "venv")
    install_wheel(env_python, project, tmp_path / "dist")
    commands = ci_commands(project)
    assert len(commands) == len(README_COMMANDS)
    for command in commands:
        run_shell(command, project, env_python.parent)
    run_ok([sys.executable, "-m", "mypy", "--strict", "--no-incremental"], project)
    assert scaffold_main(["check", str(project)]) == 0  # no findings
    env_dir = env_python.parent.parent

    # Run from elsewhere: the installed package must not need its folder on sys.path.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = env_dir / "bin" / answers.distribution
    demo = run_ok([str(script), "--demo", "--frames", "30"], elsewhere)
    assert demo.stdout.splitlines()[-1] == "Score: left 0, right 0 after 30 frames (seed 0)"
    assert "\x1b" not in demo.stdout and demo.stderr == ""
    again = run_ok([str(env_python), "-m", answers.package, "--demo", "--frames", "30"], elsewhere)
    assert again.stdout == demo.stdout
