"""Every name scaffold suggests passes the check that refused the original, and names too
long for a file are refused before anything is written."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from scaffold.errors import InvalidNameError
from scaffold.generate.answers import (
    game_answers,
    module_answers,
    package_answers,
    workspace_answers,
)
from scaffold.names import (
    validate_destination_name,
    validate_folder_name,
    validate_module_name,
    validate_script,
    validate_script_name,
    validate_template_name,
)
from tests.conftest import assert_refused

LONG = "a" * 300

#: Each check as the commands run it: a name in, the name (or answers) out or a refusal.
CHECKS: dict[str, Callable[[str], object]] = {
    "package": lambda name: package_answers(name),
    "package module": lambda name: package_answers("pkg", modules=[name]),
    "package subpackage": lambda name: package_answers("pkg", subpackages=[name]),
    "new module": lambda name: module_answers(name),
    "game": lambda name: game_answers(name),
    "workspace member": lambda name: workspace_answers("ws", packages=[name]),
    "namespace member": lambda name: workspace_answers("ws", packages=[name], namespace="acme"),
    "namespace": lambda name: workspace_answers("ws", packages=["core"], namespace=name),
    "submodule": lambda name: validate_module_name(name, kind="module"),
    "script name": validate_script_name,
    "script function": lambda name: validate_script(
        f"tool=bar:{name}", package="p", modules=["bar"]
    ),
    "module function": lambda name: package_answers(
        "p", modules=["bar"], scripts=[f"t=bar:{name}"]
    ),
    "cli function": lambda name: package_answers("p", modules=["bar"], scripts=[f"t=cli:{name}"]),
    "workspace": lambda name: validate_folder_name(name, kind="workspace"),
    "project NAME": validate_destination_name,
    "template": validate_template_name,
}

BAD_NAMES = [
    "Class",
    "CLASS",
    "Json",
    "Os",
    "Random",
    "__INIT__",
    "__MAIN__",
    "__Init__",
    "True",
    "None",
    "class",
    "json",
    "__init__",
    "test_class",
    "test_json",
    "test_",
    "test_test_x",
    "Test_Json",
    "my-json",
    "json!",
    "Cli",
    "cli",
    "Greet",
    "Build_Parser",
    "Main",
    "Print",
    "Argparse",
    "Annotations",
    "__Version__",
    "Pytest",
    "2fast",
    "café",
    "---",
    "_",
    "-x",
    "a b",
    "a\x00b",
    "Team Template",
    LONG,
]

_SUGGESTION = re.compile(r"; try '([^']*)'")


@pytest.mark.parametrize("check", sorted(CHECKS))
@pytest.mark.parametrize("name", BAD_NAMES, ids=lambda n: n if len(n) < 20 else "long")
def test_every_suggestion_passes_the_check_that_refused_the_name(check: str, name: str) -> None:
    validate = CHECKS[check]
    try:
        validate(name)
    except InvalidNameError as exc:
        message = exc.message
    else:
        return
    assert "\n" not in message
    assert len(message) < 300, message
    match = _SUGGESTION.search(message)
    if match is None:
        return
    suggestion = match.group(1)
    assert suggestion, message
    try:
        validate(suggestion)
    except InvalidNameError as again:
        pytest.fail(f"{check}: {name!r} -> {message!r}\nwhose suggestion is refused: {again}")


@pytest.mark.parametrize(
    ("check", "name", "suggestion"),
    [
        ("package", "Class", "class_"),
        ("package", "Json", "json_utils"),
        ("package", "__INIT__", "init"),
        ("new module", "test_class", "class_"),
        ("new module", "test_json", "json_utils"),
        ("new module", "test_test_x", "x"),
        ("package module", "Cli", "cli_tools"),
        ("submodule", "Json", "json"),
        ("package module", "Main", "main_tools"),
        ("module function", "Print", "run_print"),
        ("cli function", "Argparse", "run_argparse"),
    ],
)
def test_suggestions_are_followed_until_valid(check: str, name: str, suggestion: str) -> None:
    with pytest.raises(InvalidNameError) as info:
        CHECKS[check](name)
    assert f"try {suggestion!r}" in info.value.message


def test_a_name_with_no_valid_suggestion_gets_none() -> None:
    with pytest.raises(InvalidNameError) as info:
        module_answers("test_")
    assert "try ''" not in info.value.message
    assert "looks like a test file" in info.value.message


@pytest.mark.parametrize(
    "check", sorted(set(CHECKS) - {"script function", "module function", "cli function"})
)
def test_names_too_long_for_a_file_are_refused(check: str) -> None:
    with pytest.raises(InvalidNameError) as info:
        CHECKS[check](LONG)
    assert "\n" not in info.value.message
    assert LONG not in info.value.message


@pytest.mark.parametrize(
    "argv",
    [
        ["new", "package", LONG],
        ["new", "module", LONG],
        ["new", "package", "pkg", "--module", LONG],
        ["new", "game", LONG],
        ["new", "workspace", "ws", "--package", LONG],
    ],
    ids=["package", "module", "package-module", "game", "workspace-member"],
)
def test_cli_refuses_a_name_too_long_for_a_file(
    argv: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert_refused(argv, "too long for", tmp_path, capsys)


def test_add_refuses_a_name_too_long_for_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from scaffold.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["new", "package", "pkg", "-q"]) == 0
    capsys.readouterr()
    assert_refused(["add", "module", LONG, "--to", "pkg/pkg"], "too long for", tmp_path, capsys)


def test_a_file_name_too_long_anywhere_in_generation_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A destination folder name the filesystem refuses: no name check sees it.
    monkeypatch.chdir(tmp_path)
    assert_refused(["new", "package", "pkg", "--dest", "d" * 300], "too long for", tmp_path, capsys)


def test_add_with_a_long_package_path_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # `add` names the test file after the package's dotted path when test_NAME.py is
    # taken, so a long path and a long (valid) name overflow the file name together.

    monkeypatch.chdir(tmp_path)
    deep, name = "p" * 130, "m" * 125
    # `new package` refuses a name this long (its lines would not fit); `add` meets
    # packages written by hand.
    (tmp_path / deep / deep).mkdir(parents=True)
    (tmp_path / deep / deep / "__init__.py").write_text("__all__: list[str] = []\n")
    (tmp_path / deep / "pyproject.toml").write_text('[project]\nname = "deep"\n')
    (tmp_path / deep / "tests").mkdir()
    (tmp_path / deep / "tests" / f"test_{name}.py").write_text("")
    assert_refused(
        ["add", "module", name, "--to", f"{deep}/{deep}"], "too long for", tmp_path, capsys
    )
