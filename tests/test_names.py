"""Name rules: which names are refused, and what is suggested instead."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from packaging.utils import canonicalize_name

from scaffold.errors import InvalidNameError
from scaffold.names import (
    distribution_name,
    suggest_identifier,
    validate_module_name,
    validate_script,
    validate_sibling_names,
)


@pytest.mark.parametrize("name", ["foo", "my_game", "_private", "pkg2", "a"])
def test_valid_names_are_accepted(name: str) -> None:
    assert validate_module_name(name, top_level=True) == name


@pytest.mark.parametrize(
    ("name", "fragment", "suggestion"),
    [
        ("my-game", "not a valid Python identifier", "'my_game'"),
        ("Foo", "not lower case", "'foo'"),
        ("MyGame", "not lower case", "'mygame'"),
        ("class", "keyword", "'class_'"),
        ("__init__", "reserved", "'init'"),
        ("__main__", "reserved", "'main'"),
        ("2fast", "not a valid Python identifier", "'_2fast'"),
        ("café", "not a valid Python identifier", "'cafe'"),
        ("", "empty", "'mypkg'"),
        ("my game", "not a valid Python identifier", "'my_game'"),
        ("random", "shadows the standard-library module", "'random_utils'"),
        ("json", "shadows the standard-library module", "'json_utils'"),
    ],
)
def test_bad_top_level_names_are_refused_with_a_suggestion(
    name: str, fragment: str, suggestion: str
) -> None:
    with pytest.raises(InvalidNameError) as info:
        validate_module_name(name, top_level=True)
    assert fragment in info.value.message
    assert suggestion in info.value.message
    assert "\n" not in info.value.message


def test_submodules_may_share_a_stdlib_name() -> None:
    assert validate_module_name("types", kind="module") == "types"


def test_stdlib_shadow_can_be_allowed_explicitly() -> None:
    assert validate_module_name("random", top_level=True, allow_stdlib_shadow=True) == "random"


def test_duplicate_siblings_are_refused() -> None:
    with pytest.raises(InvalidNameError, match="given twice"):
        validate_sibling_names(["a", "b", "a"], kind="module", parent="pkg")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("my_game", "my-game"),
        ("My_Game", "my-game"),
        ("a.b__c", "a-b-c"),
        ("x", "x"),
        ("_priv", "priv"),
        ("__foo__", "foo"),
        ("_a_.b_", "a-b"),
        ("acme._core", "acme-core"),
    ],
)
def test_distribution_name_is_pep503_normalised(name: str, expected: str) -> None:
    assert distribution_name(name) == expected
    # packaging (the reference implementation, installed with copier) agrees it is a
    # valid, normalised name: PEP 508 wants a letter or digit at both ends.
    assert canonicalize_name(expected, validate=True) == expected


@pytest.mark.parametrize("name", ["_", "__", "_._"])
def test_a_name_without_letters_or_digits_has_no_distribution_name(name: str) -> None:
    with pytest.raises(InvalidNameError) as info:
        distribution_name(name)
    assert "letter or digit" in info.value.message
    assert "\n" not in info.value.message


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("My-Game", "my_game"),
        ("class", "class_"),
        ("1x", "_1x"),
        ("---", "pkg"),
        ("match", "match_"),
    ],
)
def test_suggestions_are_valid_identifiers(name: str, expected: str) -> None:
    assert suggest_identifier(name) == expected


def test_script_accepts_cli_and_generated_modules() -> None:
    assert validate_script("tool=cli:main", package="foo", modules=[]) == ("tool", "cli", "main")
    # A function name with no cased letter is lower case too.
    assert validate_script("tool=cli:_2", package="foo", modules=[]) == ("tool", "cli", "_2")
    assert validate_script("t = foo.bar : run", package="foo", modules=["bar"]) == (
        "t",
        "bar",
        "run",
    )


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("tool", "is not NAME=MODULE:FUNCTION"),
        ("tool=cli", "is not NAME=MODULE:FUNCTION"),
        ("=cli:main", "is not NAME=MODULE:FUNCTION"),
        ("tool=nope:main", "does not generate"),
        ("tool=cli:class", "not a valid function name"),
        ("tool=cli:Main", "not a valid function name"),
        ("bad name=cli:main", "not a valid command name"),
        ("tool=a-b:main", "not a dotted module path"),
    ],
)
def test_bad_scripts_are_refused(spec: str, fragment: str) -> None:
    with pytest.raises(InvalidNameError) as info:
        validate_script(spec, package="foo", modules=["bar"])
    assert fragment in info.value.message


def test_names_longer_than_the_templates_lines_allow_are_refused() -> None:
    # The templates keep every line within ruff's 100 columns for names up to these
    # lengths (the e2e matrix renders names of exactly these); one more is refused.
    from scaffold.generate.answers import (
        game_answers,
        module_answers,
        package_answers,
        workspace_answers,
    )
    from scaffold.generate.template_names import MEMBER_NAME_COLUMNS, PACKAGE_NAME_COLUMNS

    def name(columns: int) -> str:
        return "n" * (columns - 1) + "9"

    package_answers(name(PACKAGE_NAME_COLUMNS), modules=[name(MEMBER_NAME_COLUMNS)])
    module_answers(name(MEMBER_NAME_COLUMNS))
    game_answers(name(MEMBER_NAME_COLUMNS))
    workspace_answers("ws", packages=[name(MEMBER_NAME_COLUMNS)])
    workspace_answers("ws", packages=[name(MEMBER_NAME_COLUMNS - 5)], namespace="acme")
    too_long: list[Callable[[], object]] = [
        lambda: package_answers(name(PACKAGE_NAME_COLUMNS + 1)),
        lambda: package_answers("p", modules=[name(MEMBER_NAME_COLUMNS + 1)]),
        lambda: package_answers("p", subpackages=[name(MEMBER_NAME_COLUMNS + 1)]),
        lambda: package_answers("p", scripts=[f"t=cli:{name(MEMBER_NAME_COLUMNS + 1)}"]),
        lambda: module_answers(name(MEMBER_NAME_COLUMNS + 1)),
        lambda: game_answers(name(MEMBER_NAME_COLUMNS + 1)),
        lambda: workspace_answers("ws", packages=[name(MEMBER_NAME_COLUMNS + 1)]),
        lambda: workspace_answers("ws", packages=[name(MEMBER_NAME_COLUMNS - 4)], namespace="acme"),
    ]
    for make in too_long:
        with pytest.raises(InvalidNameError, match="ruff's line length"):
            make()
