"""The data a check produces: diagnostics, their related locations and the report."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = ["CheckReport", "Diagnostic", "Related", "Severity"]


class Severity(enum.StrEnum):
    """How bad a finding is; `off` rules run only when selected by their exact code."""

    ERROR = "error"
    WARNING = "warning"
    OFF = "off"


@dataclass(frozen=True, slots=True)
class Related:
    """A further location that explains a diagnostic (each import of a cycle, say)."""

    path: str
    line: int
    column: int
    message: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding; `path` is POSIX and relative to the checked folder, positions 1-based."""

    code: str
    name: str
    severity: Severity
    message: str
    path: str
    line: int = 1
    column: int = 1
    end_line: int = 1
    end_column: int = 1
    fixable: bool = False
    related: tuple[Related, ...] = ()

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order findings by file, position, code, then message, so output is reproducible."""
        return (self.path, self.line, self.column, self.code, self.message)


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Everything one run found: sorted diagnostics, how many files were read, skip notes."""

    diagnostics: tuple[Diagnostic, ...]
    files: int
    root: str = "."
    notes: tuple[str, ...] = field(default=())

    @property
    def errors(self) -> int:
        """Number of error-severity findings."""
        return sum(1 for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        """Number of warning-severity findings."""
        return sum(1 for d in self.diagnostics if d.severity is Severity.WARNING)

    @property
    def fixable(self) -> int:
        """Number of findings with a safe fix."""
        return sum(1 for d in self.diagnostics if d.fixable)
