"""From `templates test`'s options to a checked request: which template, answer sets, commands."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffold.errors import UsageError
from scaffold.template_testing.answer_sets import (
    answer_sets,
    check_questions,
    expand_answers,
    read_data_file,
)
from scaffold.template_testing.declared import SETTING, Command, declared_tests
from scaffold.template_testing.runner import TemplateTestRequest

__all__ = ["TestOptions", "plan_template_tests"]


@dataclass(frozen=True)
class TestOptions:
    """The options of `scaffold templates test`, as given."""

    __test__ = False  # options, not a pytest test class

    spec: str
    data: Sequence[str] = ()
    data_file: Path | None = None
    defaults: bool = False
    run: Sequence[str] = field(default=())
    check_only: bool = False
    venv: bool = False
    timeout: float = 600.0
    jobs: int | None = None
    keep: Path | None = None
    trust: bool = False
    vcs_ref: str | None = None
    name: str = "demo"


def plan_template_tests(options: TestOptions) -> TemplateTestRequest:
    """Resolve the template, read its `_scaffold_test`, build and check the answer sets.

    Everything a user can get wrong is refused here, before anything renders: a missing
    template, a bad data file, an answer to a question the template does not ask, a
    template that runs code without `--trust`, a bad `--name`, `-j` or `--timeout`.
    """
    from scaffold.generate.answers import parse_data
    from scaffold.generate.template_info import open_template
    from scaffold.generate.trust import unsafe_features, untrusted_error
    from scaffold.names import validate_destination_name
    from scaffold.templates import template_source

    _check_numbers(options)
    validate_destination_name(options.name)
    source = template_source(options.spec).source
    fixed = parse_data(options.data)
    with open_template(source, options.vcs_ref) as info:
        found = unsafe_features(info.config)
        if found and not options.trust:
            raise untrusted_error(source, found)
        declared = declared_tests(info.config)
        variants, origin = _variants(options, declared.answers)
        sets = answer_sets(variants, fixed)
        where = {key: origin for variant in variants for key in variant}
        where.update(dict.fromkeys(fixed, "--data"))
        check_questions(sets, info.questions, where)
    commands: tuple[Command, ...] = tuple(options.run) or declared.run
    return TemplateTestRequest(
        source=source,
        sets=tuple(sets),
        commands=() if options.check_only else commands,
        install=declared.install,
        name=options.name,
        vcs_ref=options.vcs_ref,
        trust=options.trust,
        venv=options.venv,
        timeout=options.timeout,
        jobs=options.jobs or os.cpu_count() or 1,
        keep=options.keep,
    )


def _check_numbers(options: TestOptions) -> None:
    if options.jobs is not None and options.jobs < 1:
        raise UsageError(f"-j {options.jobs} must be at least 1 (the number of sets at a time)")
    if options.timeout <= 0:
        raise UsageError(f"--timeout {options.timeout:g} must be a positive number of seconds")
    if options.defaults and options.data_file is not None:
        raise UsageError(
            "--defaults tests the template's defaults alone; it cannot be combined with"
            " --data-file (drop one)"
        )


def _variants(options: TestOptions, declared: Any) -> tuple[list[dict[str, Any]], str]:
    """The answer mappings to test, and where they came from (for messages)."""
    if options.data_file is not None:
        where = f"--data-file {options.data_file}"
        document = read_data_file(options.data_file)
        return expand_answers(document, where), where
    if options.defaults or declared is None:
        return [], "--defaults"
    where = f"copier.yml {SETTING}.answers"
    return expand_answers(declared, where), where
