"""Each built-in copier.yml and scaffold's choices and typed answers agree, so neither drifts."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from scaffold.choices import CI, DEFAULT_PYTHON, PYTHON_VERSIONS, Layout, License
from scaffold.generate.answers import (
    BuiltinAnswers,
    ProjectInfo,
    game_answers,
    module_answers,
    package_answers,
    workspace_answers,
)
from scaffold.templates import BUILTIN_TEMPLATES, builtin_template


def _questions(template: str) -> dict[str, Any]:
    path = builtin_template(template) / "copier.yml"
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return {name: spec for name, spec in loaded.items() if not name.startswith("_")}


def _choices(question: dict[str, Any]) -> list[str]:
    # Copier takes a list of choices or a mapping of label -> value.
    choices = question["choices"]
    return [str(value) for value in (choices.values() if isinstance(choices, dict) else choices)]


#: Which built-in template asks which of the shared questions as a choice.
CHOICE_QUESTIONS = {
    "package": {"ci", "license", "layout", "python"},
    "game": {"ci", "license"},
    "workspace": {"ci", "license", "python"},
    "module": set(),
}
EXPECTED: dict[str, tuple[list[str], str]] = {
    "license": ([member.value for member in License], License.MIT.value),
    "layout": ([member.value for member in Layout], Layout.FLAT.value),
    "python": (list(PYTHON_VERSIONS), DEFAULT_PYTHON),
    "ci": ([member.value for member in CI], CI.GITHUB.value),
}


def test_every_builtin_template_is_covered() -> None:
    assert set(CHOICE_QUESTIONS) == set(BUILTIN_TEMPLATES)


@pytest.mark.parametrize("template", sorted(CHOICE_QUESTIONS))
def test_choices_match_the_template(template: str) -> None:
    questions = _questions(template)
    asked = {name for name in EXPECTED if "choices" in questions.get(name, {})}
    assert asked == CHOICE_QUESTIONS[template]
    for name in sorted(asked):
        choices, default = EXPECTED[name]
        assert _choices(questions[name]) == choices, f"{template}: {name} choices"
        assert str(questions[name]["default"]) == default, f"{template}: {name} default"


def test_game_accepts_every_python_version() -> None:
    # The game template validates `python` with a pattern instead of listing choices.
    python = _questions("game")["python"]
    pattern = re.search(r"regex_search\('([^']+)'\)", python["validator"])
    assert pattern is not None
    assert all(re.match(pattern.group(1), version) for version in PYTHON_VERSIONS)
    assert str(python["default"]) == DEFAULT_PYTHON


@pytest.mark.parametrize("template", ["package", "game"])
def test_license_file_has_a_text_per_license(template: str) -> None:
    # Each license gets its own branch; Proprietary is the final `else`.
    text = (builtin_template(template) / "template" / "LICENSE.jinja").read_text(encoding="utf-8")
    branches = re.findall(r'license == "([^"]+)"', text)
    expected = {member.value for member in License} - {License.PROPRIETARY.value}
    assert sorted(branches) == sorted(expected)


PROJECT = ProjectInfo(
    description="A demo.",
    author="Ada",
    email="ada@example.com",
    repository="https://github.com/ada/demo",
)
#: One record per built-in template, with every optional answer given.
RECORDS: list[BuiltinAnswers] = [
    package_answers("demo", modules=["core"], subpackages=["sub"], project=PROJECT),
    module_answers("demo", description="A demo."),
    game_answers("demo", project=PROJECT),
    workspace_answers("demo", packages=["core", "api"], depends=["api:core"], project=PROJECT),
]


def test_a_record_per_builtin_template() -> None:
    assert sorted(record.template for record in RECORDS) == sorted(BUILTIN_TEMPLATES)


@pytest.mark.parametrize("record", RECORDS, ids=lambda record: record.template)
def test_records_answer_exactly_the_questions_the_template_asks(record: BuiltinAnswers) -> None:
    questions = _questions(record.template)
    # `when: false` questions are computed by the template, never answered.
    asked = {name for name, spec in questions.items() if spec.get("when") is not False}
    assert set(record.copier_data()) == asked
