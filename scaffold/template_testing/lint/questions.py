"""Linting copier.yml's questions: known keys, a type, defaults of their type and choices."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from scaffold.check.model import Diagnostic
from scaffold.template_testing.lint.config_file import ConfigFile, Included
from scaffold.template_testing.lint.findings import did_you_mean, finding
from scaffold.template_testing.lint.jinja_check import compile_error, has_jinja

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = ["QUESTION_KEYS", "TYPES", "lint_questions"]

#: The keys of a question in Copier 9 (`copier._user_data.Question`).
QUESTION_KEYS = frozenset(
    {
        "type", "help", "default", "choices", "multiselect", "multiline", "placeholder",
        "qmark", "secret", "validator", "when", "ask",
    }
)  # fmt: skip
TYPES = frozenset({"str", "int", "float", "bool", "json", "yaml"})
#: The question keys whose text Copier renders with Jinja.
_TEMPLATED_KEYS = ("default", "when", "validator", "help", "choices", "placeholder", "type")


def lint_questions(config: ConfigFile, rel: str, env: Environment) -> Iterator[Diagnostic]:
    """Every question's findings, in file order."""
    for name, details in config.data.items():
        if name.startswith("_") or isinstance(details, Included):
            continue
        if not isinstance(details, Mapping):
            line = config.at(name).line
            yield finding("TPL004", rel, line, f"question {name!r} has no type (short form)")
            continue
        yield from _keys(config, rel, name, details)
        yield from _jinja(config, rel, name, details, env)
        yield from _default(config, rel, name, details, env)


def _keys(
    config: ConfigFile, rel: str, name: str, details: Mapping[str, Any]
) -> Iterator[Diagnostic]:
    for key in details:
        if key not in QUESTION_KEYS:
            hint = did_you_mean(str(key), QUESTION_KEYS)
            where = config.at(name, str(key))
            yield finding(
                "TPL003",
                rel,
                where.line,
                f"question {name!r} has the key {key!r}, which Copier ignores{hint}",
                where.column,
            )
    kind = details.get("type")
    if kind is None:
        yield finding("TPL004", rel, config.at(name).line, f"question {name!r} has no type")
    elif isinstance(kind, str) and kind not in TYPES and "{" not in kind:
        hint = did_you_mean(kind, TYPES)
        where = config.at(name, "type")
        yield finding(
            "TPL005",
            rel,
            where.line,
            f"question {name!r} has the unknown type {kind!r}{hint};"
            f" Copier knows {', '.join(sorted(TYPES))}",
            where.column,
        )


def _jinja(
    config: ConfigFile, rel: str, name: str, details: Mapping[str, Any], env: Environment
) -> Iterator[Diagnostic]:
    for key in _TEMPLATED_KEYS:
        value = details.get(key)
        texts = [(value, (name, key, "="))] if isinstance(value, str) else []
        if key == "choices" and isinstance(value, list):
            texts = [(item, (name, key, str(i))) for i, item in enumerate(value)]
        for text, path in texts:
            if not isinstance(text, str) or not has_jinja(text, env):
                continue
            error = compile_error(env, text)
            if error is not None:
                where = config.at(*path)
                line = where.line + error.line - 1 + (1 if where.block else 0)
                message = f"question {name!r} {key}: {error.message}"
                yield finding("TPL007", rel, line, message, config.at(name, key).column)


def _default(
    config: ConfigFile, rel: str, name: str, details: Mapping[str, Any], env: Environment
) -> Iterator[Diagnostic]:
    when = details.get("when", True)
    if "default" not in details:
        if when is not False:
            yield finding(
                "TPL008",
                rel,
                config.at(name).line,
                f"question {name!r} has no default: only a person can answer it, so"
                f" `--defaults` and CI need `--data {name}=...`; give it a default",
            )
        return
    default = details["default"]
    if isinstance(default, str) and has_jinja(default, env):
        return  # its type and choice are known only once rendered
    where = config.at(name, "default")
    line, column = where.line, where.column
    problem = _type_problem(details.get("type"), default)
    if problem:
        message = f"question {name!r} default {default!r} {problem}"
        yield finding("TPL005", rel, line, message, column)
        return
    choices = _choice_values(details.get("choices"))
    if choices is None:
        return
    picked = default if details.get("multiselect") and isinstance(default, list) else [default]
    for value in picked:
        if value not in choices:
            shown = ", ".join(repr(c) for c in choices)
            yield finding(
                "TPL006",
                rel,
                line,
                f"question {name!r} default {value!r} is not one of its choices ({shown})",
                column,
            )


def _type_problem(kind: object, default: object) -> str:
    """Why `default` cannot be a `kind` answer, or "" when it can."""
    if kind == "str" and not isinstance(default, str):
        return "is not a string (type: str); quote it"
    if kind == "int" and (isinstance(default, bool) or not isinstance(default, int)):
        return "is not an integer (type: int)"
    if kind == "float" and (isinstance(default, bool) or not isinstance(default, int | float)):
        return "is not a number (type: float)"
    if kind == "bool" and not isinstance(default, bool):
        return "is not true or false (type: bool)"
    return ""


def _choice_values(choices: object) -> list[Any] | None:
    """The values a question's choices allow, or None when they are templated or absent."""
    if isinstance(choices, Mapping):
        values = [v.get("value") if isinstance(v, Mapping) else v for v in choices.values()]
    elif isinstance(choices, list) and choices:
        values = [c[-1] if isinstance(c, list) and len(c) == 2 else c for c in choices]
    else:
        return None
    if any(isinstance(v, str) and "{" in v for v in values):
        return None
    return values
