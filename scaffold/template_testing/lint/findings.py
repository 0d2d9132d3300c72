"""The findings of `templates lint`: one code per problem, in check's Diagnostic form."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from scaffold.check.model import Diagnostic, Severity

__all__ = ["LINT_RULES", "LintRule", "did_you_mean", "finding"]


@dataclass(frozen=True)
class LintRule:
    """A lint code: its name, severity and what it finds (for the docs)."""

    code: str
    name: str
    severity: Severity
    summary: str


LINT_RULES: dict[str, LintRule] = {
    rule.code: rule
    for rule in (
        LintRule("TPL001", "config-syntax", Severity.ERROR, "copier.yml is missing or not YAML"),
        LintRule("TPL002", "unknown-setting", Severity.ERROR, "a `_setting` Copier does not know"),
        LintRule("TPL003", "unknown-question-key", Severity.ERROR, "a question key Copier ignores"),
        LintRule("TPL004", "untyped-question", Severity.WARNING, "a question without `type`"),
        LintRule("TPL005", "default-type", Severity.ERROR, "a default not of its type"),
        LintRule("TPL006", "default-not-a-choice", Severity.ERROR, "a default not in `choices`"),
        LintRule("TPL007", "jinja-syntax", Severity.ERROR, "Jinja that does not compile"),
        LintRule("TPL008", "no-default", Severity.WARNING, "a question only a person can answer"),
        LintRule(
            "TPL009", "exclude-matches-nothing", Severity.WARNING, "an `_exclude` for no file"
        ),
        LintRule("TPL010", "runs-code", Severity.WARNING, "tasks, migrations, Jinja extensions"),
        LintRule("TPL011", "unimportable-module", Severity.ERROR, "a module Python cannot import"),
        LintRule(
            "TPL012", "outside-destination", Severity.ERROR, "a file written outside the project"
        ),
        LintRule("TPL013", "bad-scaffold-test", Severity.ERROR, "a `_scaffold_test` that fails"),
    )
}


def finding(code: str, path: str, line: int, message: str, column: int = 1) -> Diagnostic:
    """A Diagnostic of the lint rule `code` at `path:line:column`."""
    rule = LINT_RULES[code]
    return Diagnostic(
        code=code,
        name=rule.name,
        severity=rule.severity,
        message=message,
        path=path,
        line=line,
        column=column,
        end_line=line,
        end_column=column,
    )


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """` (did you mean 'x'?)` when a known word is close to `word`, else ``."""
    close = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
