"""The one error root: every user-facing failure is a ScaffoldError with a one-line message."""

from __future__ import annotations

__all__ = [
    "DestinationError",
    "InvalidNameError",
    "ScaffoldError",
    "TemplateError",
    "UntrustedTemplateError",
    "UsageError",
    "one_line",
]


class ScaffoldError(Exception):
    """A failure the user can act on; the CLI prints `message` on one line and exits 2."""

    exit_code: int = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(ScaffoldError):
    """An option or argument has a value scaffold cannot use."""


class InvalidNameError(UsageError):
    """A package, module or script name breaks a naming rule."""


class DestinationError(ScaffoldError):
    """The destination cannot be written as asked (exists, not a folder, not writable)."""


class TemplateError(ScaffoldError):
    """A template could not be found, read or rendered."""


class UntrustedTemplateError(TemplateError):
    """A template from outside wants to run code and `--trust` was not given."""


def one_line(text: str) -> str:
    """`text` with every run of whitespace, newlines included, folded to one space."""
    return " ".join(text.split())
