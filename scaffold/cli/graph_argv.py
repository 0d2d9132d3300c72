"""`scaffold graph`'s arguments read without Typer, for the arguments that need no help or error."""

# Importing Typer and building the command costs ~0.05 s CPU, a third of a warm graph of a
# large tree, which prints the drawing kept beside the cache (issue 16: a warm graph at most
# 1.5x a warm check, which runs without Typer). As check_argv.py does for `check`, this reads
# the common forms into the keyword arguments the Typer command passes to
# `graph_render.print_graph`, and gives up (None) on anything else: help, `--`, `-`, short
# options, a second PATH, an unknown --format, a --depth or --radius that is not a number in
# range. Typer then reads the arguments as before: its help and errors stay the only ones.
# tests/test_cli_graph_argv.py holds the tables to the Typer command and compares both
# readings over generated arguments.

from __future__ import annotations

from collections.abc import Sequence

from scaffold.cli.check_argv import read_plain

__all__ = ["DEFAULTS", "FLAGS", "FORMATS", "NUMBERS", "REPEATED", "VALUED", "graph_fields"]

# The --format names of the Typer command (cli/graph.py's GraphFormat).
FORMATS = ("mermaid", "dot", "json", "svg")
FLAGS: dict[str, str] = {
    "--cycles": "cycles",
    "--upstream": "upstream",
    "--downstream": "downstream",
    "--check-contracts": "check_contracts",
    "--all-imports": "all_imports",
    "--no-cache": "no_cache",
}
VALUED: dict[str, str] = {
    "--format": "output_format",
    "--depth": "depth",
    "--focus": "focus",
    "--radius": "radius",
    "--cache-dir": "cache_dir",
}
REPEATED: dict[str, str] = {"--exclude": "exclude", "--collapse": "collapse"}
# The whole-number options and their least value (the Typer command's `min`).
NUMBERS: dict[str, int] = {"depth": 1, "radius": 0}
DEFAULTS: dict[str, object] = {
    **dict.fromkeys(FLAGS.values(), False),
    **dict.fromkeys(VALUED.values(), None),
    **dict.fromkeys(REPEATED.values(), None),
    "output_format": "mermaid",
}


def graph_fields(args: Sequence[str]) -> dict[str, object] | None:
    """The keyword arguments of `print_graph` that `scaffold graph ARGS` stands for, or None
    when Typer must read ARGS."""
    given = dict(DEFAULTS)
    paths = read_plain(args, given, FLAGS, VALUED, REPEATED)
    if paths is None or len(paths) > 1:
        return None
    output_format = str(given.pop("output_format")).lower()
    if output_format not in FORMATS:
        return None
    for field, least in NUMBERS.items():
        value = given[field]
        if value is None:
            continue
        try:
            number = int(str(value))  # what click's INT type does with the text
        except ValueError:
            return None
        if number < least:
            return None
        given[field] = number
    return {"path": paths[0] if paths else ".", "output_format": output_format} | {
        field: value or () if field in REPEATED.values() else value
        for field, value in given.items()
    }
