"""Linting copier.yml's settings: known `_keys`, code it would run, the `_scaffold_test` key."""

from __future__ import annotations

from collections.abc import Iterator

from scaffold.check.model import Diagnostic
from scaffold.errors import ScaffoldError
from scaffold.template_testing.answer_sets import answer_sets, check_questions, expand_answers
from scaffold.template_testing.declared import SETTING, declared_tests
from scaffold.template_testing.lint.config_file import ConfigFile
from scaffold.template_testing.lint.findings import did_you_mean, finding

__all__ = ["KNOWN_SETTINGS", "lint_settings"]

#: The settings copier.yml may hold in Copier 9 ("Available settings" of its docs that
#: copier.yml supports), and scaffold's own.
KNOWN_SETTINGS = frozenset(
    {
        "_answers_file", "_envops", "_exclude", "_external_data", "_jinja_extensions",
        "_message_after_copy", "_message_after_update", "_message_before_copy",
        "_message_before_update", "_migrations", "_min_copier_version", "_preserve_symlinks",
        "_secret_questions", "_skip_if_exists", "_subdirectory", "_tasks",
        "_templates_suffix", SETTING,
    }
)  # fmt: skip
_UNSAFE = ("_tasks", "_migrations", "_jinja_extensions")


def lint_settings(config: ConfigFile, rel: str) -> Iterator[Diagnostic]:
    """Unknown settings, the code the template runs, and a `_scaffold_test` that cannot work."""
    from scaffold.generate.trust import unsafe_features

    for key in config.data:
        if key.startswith("_") and key not in KNOWN_SETTINGS:
            yield finding(
                "TPL002",
                rel,
                config.at(key).line,
                f"unknown setting {key!r}, which Copier ignores{did_you_mean(key, KNOWN_SETTINGS)}",
            )
    for key in _UNSAFE:
        if config.data.get(key):
            found = unsafe_features({key[1:]: config.data[key]})
            yield finding(
                "TPL010",
                rel,
                config.at(key).line,
                f"{key} runs code on the user's machine ({'; '.join(found)}): scaffold"
                " refuses the template without --trust",
            )
    yield from _scaffold_test(config, rel)


def _scaffold_test(config: ConfigFile, rel: str) -> Iterator[Diagnostic]:
    """`_scaffold_test` must read, and its answers must answer questions the template asks."""
    if SETTING not in config.data:
        return
    line = config.at(SETTING).line
    settings = {key[1:]: value for key, value in config.data.items() if key.startswith("_")}
    try:
        declared = declared_tests(settings)
        if declared.answers is None:
            return
        variants = expand_answers(declared.answers, f"{SETTING}.answers")
        questions = {k: v for k, v in config.data.items() if not k.startswith("_")}
        check_questions(answer_sets(variants, {}), questions, {})
    except ScaffoldError as exc:
        yield finding("TPL013", rel, line, exc.message)
