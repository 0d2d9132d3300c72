"""The one error root: every user-facing failure is a ScaffoldError with a one-line message."""

from __future__ import annotations

import re

__all__ = [
    "DestinationError",
    "InvalidNameError",
    "ScaffoldError",
    "TemplateError",
    "UntrustedTemplateError",
    "UsageError",
    "one_line",
    "printable",
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


# What must not reach a terminal or one line of a line-oriented format raw: C0 controls
# (newline, ESC), DEL, C1 controls (NEL is a line break), the Unicode line and paragraph
# separators, and the surrogates that stand for a file name's undecodable bytes.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if "\udc80" <= char <= "\udcff":
        return f"\\x{ord(char) - 0xDC00:02x}"  # the file name's own byte
    return ascii(char)[1:-1]


def printable(text: str) -> str:
    """`text` safe on one line of a terminal or a line-oriented format: control characters
    as Python escapes (`\\n`, `\\x1b`), an undecodable file-name byte as `\\xff`."""
    if text.isprintable():
        # What the pattern matches is all unprintable to str.isprintable, a scan in C: a
        # report of thousands of findings calls this for each one's path and message.
        return text
    return _UNPRINTABLE.sub(_escape, text)
