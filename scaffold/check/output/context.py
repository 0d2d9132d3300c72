"""What a renderer may need besides the report: where paths are shown from, colour, fixes."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from scaffold.check.model import CheckReport

__all__ = ["RenderContext", "json_text"]

# In JSON text written with ensure_ascii=False: lone surrogates (a file name's undecodable
# bytes, not Unicode), and what a line-splitting reader takes for a line break or a terminal
# for a control (DEL, C1 controls such as NEL, the line and paragraph separators).
_NOT_JSON_TEXT = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _json_escape(match: re.Match[str]) -> str:
    char = match.group()
    return "\ufffd" if "\ud800" <= char <= "\udfff" else f"\\u{ord(char):04x}"


def json_text(text: str) -> str:
    """JSON text from `json.dumps(..., ensure_ascii=False)` made valid UTF-8 and one line per
    line break it means: an undecodable byte as U+FFFD, a control character escaped."""
    return _NOT_JSON_TEXT.sub(_json_escape, text)


@dataclass(frozen=True, slots=True)
class RenderContext:
    """The run's circumstances; each format reads what it needs and ignores the rest.

    `relative_to` is the folder paths are shown relative to (None: relative to the checked
    root, as the JSON and SARIF contracts want); `color` allows ANSI colours; `fixed` is how
    many findings `--fix` rewrote (None: no fix ran); `source_root` is the folder SARIF's
    `%SRCROOT%` names (the repository's top; None: the report's root); `exit_code` is the
    code the run exits with (None: not known); `summary` False (`-q`) leaves out the closing
    lines of the human formats.
    """

    relative_to: Path | None = None
    color: bool = False
    fixed: int | None = None
    source_root: Path | None = None
    exit_code: int | None = None
    summary: bool = True
    # The lines of a finding's file (its path as in the report), for source snippets.
    source: Callable[[str], Sequence[str]] | None = None

    def shown_path(self, report: CheckReport, path: str) -> str:
        """A finding's path as the user should see it: relative to `relative_to` when given."""
        if self.relative_to is None:
            return path
        return _shown(report.root, path, self.relative_to)


@functools.lru_cache(maxsize=4096)  # a report's findings share few files
def _shown(root: str, path: str, relative_to: Path) -> str:
    prefix = _below(root, relative_to) if ".." not in path else None
    if prefix is not None:
        # The root at or below the folder paths are shown from, and a path that climbs
        # nowhere: joining the root's own relative path is what relpath would give (both
        # are lexical), at a fraction of its cost; broken contracts name hundreds of files.
        return os.path.normpath(os.path.join(prefix, path)).replace(os.sep, "/")
    full = os.path.join(root, path)
    try:
        shown = os.path.relpath(full, relative_to)
    except ValueError:  # another drive on Windows
        shown = full
    return shown.replace(os.sep, "/")


@functools.lru_cache(maxsize=16)
def _below(root: str, relative_to: Path) -> str | None:
    """`root` relative to `relative_to` when it is at or below it, else None."""
    try:
        prefix = os.path.relpath(root, relative_to)
    except ValueError:  # another drive on Windows
        return None
    return None if prefix == os.pardir or prefix.startswith(os.pardir + os.sep) else prefix
