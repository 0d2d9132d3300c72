"""The switches of every `scaffold new` command (where, and how), without Typer."""

# `scaffold new` runs without Typer for plain arguments (new_argv.py): nothing here may
# import it but the terminal prompt, which only an interactive run reaches.

from __future__ import annotations

import sys
from pathlib import Path
from typing import NamedTuple

from scaffold.errors import UsageError

__all__ = ["NewSwitches", "interactive"]


def interactive(defaults: bool) -> bool:
    """Whether to ask questions: on a terminal, unless --defaults."""
    return not defaults and sys.stdin.isatty()


class NewSwitches(NamedTuple):
    """What every `scaffold new` command takes besides the answers: where, and how."""

    dest: Path | None
    dry_run: bool
    force: bool
    defaults: bool
    quiet: bool

    @property
    def interactive(self) -> bool:
        return interactive(self.defaults)

    def required_name(self, name: str | None, what: str, usage: str) -> str:
        """NAME when given; asked for on a terminal; otherwise a usage error (never a hang)."""
        if name is not None:
            return name
        if self.interactive:
            import typer  # the prompt only

            return str(typer.prompt(f"{what} name"))
        raise UsageError(f"missing {what} NAME; usage: {usage}")
