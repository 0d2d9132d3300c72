"""What a `templates test` run found, and its renderings: the table, JSON and JUnit XML."""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffold import __version__

__all__ = [
    "CHECK_WIDTH",
    "FAILURE_LINES",
    "Outcome",
    "SetResult",
    "StepResult",
    "TestReport",
    "render_json",
    "render_junit",
    "render_table",
]

#: How many lines of a failure the table shows (JSON and JUnit carry all of it).
FAILURE_LINES = 5
#: The widest check name the table shows whole (JSON and JUnit carry every name whole).
CHECK_WIDTH = 48


class Outcome(enum.StrEnum):
    """How one check of one answer set ended."""

    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"


@dataclass(frozen=True)
class StepResult:
    """One check of one answer set: its name, outcome, time in seconds and output."""

    name: str
    outcome: Outcome
    seconds: float
    output: str = ""

    def first_lines(self) -> list[str]:
        """The first non-blank lines of the output, for the table."""
        lines = [line.rstrip() for line in self.output.splitlines() if line.strip()]
        return lines[:FAILURE_LINES]


@dataclass(frozen=True)
class SetResult:
    """One answer set: its label, answers, where it was kept (if kept) and its checks."""

    label: str
    answers: Mapping[str, Any]
    steps: tuple[StepResult, ...]
    kept: Path | None = None

    @property
    def passed(self) -> bool:
        return all(step.outcome is Outcome.PASS for step in self.steps)


@dataclass(frozen=True)
class TestReport:
    """Every answer set's result, in the order the sets were given."""

    __test__ = False  # a report, not a pytest test class

    template: str
    sets: tuple[SetResult, ...] = field(default=())

    @property
    def failed(self) -> int:
        return sum(1 for result in self.sets if not result.passed)


def _seconds(value: float) -> str:
    return f"{value:.1f}s"


def render_table(report: TestReport) -> str:
    """Answer set x check: pass, FAIL or skip, the time, and the first lines of each failure."""
    rows = [("ANSWER SET", "CHECK", "RESULT", "TIME")]
    notes: dict[int, list[str]] = {}
    for result in report.sets:
        for index, step in enumerate(result.steps):
            shown = "FAIL" if step.outcome is Outcome.FAIL else step.outcome.value
            name = (
                step.name if len(step.name) <= CHECK_WIDTH else step.name[: CHECK_WIDTH - 1] + "…"
            )
            rows.append((result.label if index == 0 else "", name, shown, _seconds(step.seconds)))
            if step.outcome is Outcome.FAIL:
                notes[len(rows) - 1] = step.first_lines()
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    lines: list[str] = []
    for number, row in enumerate(rows):
        cells = [cell.ljust(width) for cell, width in zip(row[:3], widths, strict=False)]
        lines.append("  ".join([*cells, row[3]]).rstrip())
        indent = " " * (widths[0] + 4)
        lines.extend(f"{indent}| {line}" for line in notes.get(number, []))
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def _summary(report: TestReport) -> str:
    total = len(report.sets)
    sets = f"{total} answer set{'' if total == 1 else 's'}"
    if not report.failed:
        return f"All {sets} passed ({report.template})."
    return f"{report.failed} of {sets} failed ({report.template})."


def render_json(report: TestReport) -> str:
    """A versioned document for tools: every set, its answers and every check's output."""
    document = {
        "version": 1,
        "tool": {"name": "scaffold", "version": __version__},
        "template": report.template,
        "summary": {
            "sets": len(report.sets),
            "passed": len(report.sets) - report.failed,
            "failed": report.failed,
        },
        "sets": [
            {
                "label": result.label,
                "answers": dict(result.answers),
                "passed": result.passed,
                "kept": None if result.kept is None else str(result.kept),
                "checks": [
                    {
                        "name": step.name,
                        "result": step.outcome.value,
                        "seconds": round(step.seconds, 3),
                        "output": step.output,
                    }
                    for step in result.steps
                ],
            }
            for result in report.sets
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"


def render_junit(report: TestReport) -> str:
    """JUnit XML, as CI systems read it: a test suite per answer set, a test case per check."""
    from xml.etree import ElementTree as ET

    def counts(steps: tuple[StepResult, ...]) -> dict[str, str]:
        return {
            "tests": str(len(steps)),
            "failures": str(sum(s.outcome is Outcome.FAIL for s in steps)),
            "skipped": str(sum(s.outcome is Outcome.SKIP for s in steps)),
            "time": f"{sum(s.seconds for s in steps):.3f}",
        }

    every = tuple(step for result in report.sets for step in result.steps)
    root = ET.Element("testsuites", {"name": "scaffold templates test", **counts(every)})
    for result in report.sets:
        suite = ET.SubElement(root, "testsuite", {"name": result.label, **counts(result.steps)})
        for step in result.steps:
            attributes = {"classname": result.label, "name": step.name}
            case = ET.SubElement(suite, "testcase", {**attributes, "time": f"{step.seconds:.3f}"})
            if step.outcome is Outcome.FAIL:
                first = next(iter(step.first_lines()), "failed")
                ET.SubElement(case, "failure", {"message": first}).text = step.output
            elif step.outcome is Outcome.SKIP:
                ET.SubElement(case, "skipped", {"message": step.output or "skipped"})
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"
