"""`scaffold check`'s arguments read without Typer, for the arguments that need no help or error."""

# Importing Typer and building the command costs ~0.08 s CPU, a third of a warm check of a
# large tree and half of a check of a small one (docs/decisions.md, issue 20). This reads
# the common forms of `scaffold check` arguments into the same CheckCommand fields as the
# Typer command, and gives up (None) on anything else: `--help`, a usage error, `--`,
# combined short flags (`-qv`), a value joined to a short option (`-oFILE`), a value that
# starts with `-`, an unknown --format. Typer then reads the arguments as before, so its
# help and its errors stay the only ones. tests/cli/test_check_argv.py holds the option
# table to the Typer command's and compares both readings over generated arguments.

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

__all__ = ["COMPLETION_VARIABLE", "DEFAULTS", "FLAGS", "VALUED", "check_fields", "read_plain"]

# Set by a shell asking for completions: click answers it, not the command.
COMPLETION_VARIABLE = "_SCAFFOLD_COMPLETE"

# Options without a value: each sets its CheckCommand field to True.
FLAGS: dict[str, str] = {
    "--exit-zero": "exit_zero",
    "--statistics": "statistics",
    "--fix": "fix",
    "--unsafe-fixes": "unsafe_fixes",
    "--diff": "diff",
    "--add-noqa": "add_noqa",
    "--update-baseline": "update_baseline",
    "--import": "run_imports",
    "--no-cache": "no_cache",
    "--quiet": "quiet",
    "-q": "quiet",
    "--silent": "silent",
    "-s": "silent",
    "--fix-only": "fix_only",
    "--exit-non-zero-on-fix": "exit_non_zero_on_fix",
    "--show-files": "show_files",
    "--show-settings": "show_settings",
    "--show-fixes": "show_fixes",
    "--watch": "watch",
    "--isolated": "isolated",
    "--verbose": "verbose",
    "-v": "verbose",
}
# Options taking one value: the last one given wins, as with click.
VALUED: dict[str, str] = {
    "--output-format": "output_format",
    "--format": "output_format",
    "--output-file": "output_file",
    "-o": "output_file",
    "--select": "select",
    "--extend-select": "extend_select",
    "--ignore": "ignore",
    "--extend-ignore": "extend_ignore",
    "--fail-on": "fail_on",
    "--baseline": "baseline",
    "--cache-dir": "cache_dir",
    "--color": "color",
    "--config": "config",
    "--stdin-filename": "stdin_filename",
}
# Each option's value when it is not given (the Typer command's defaults).
DEFAULTS: dict[str, object] = {
    **dict.fromkeys(FLAGS.values(), False),
    **dict.fromkeys(VALUED.values(), None),
    "output_format": "text",
    "color": "auto",
}


def read_plain(
    args: Sequence[str],
    given: dict[str, object],
    flags: dict[str, str],
    valued: dict[str, str],
    repeated: Mapping[str, str],
) -> list[str] | None:
    """Read `args` into `given` (flags set True, a valued option's last value, a repeated
    option's values in a list) and return the plain arguments; None when Typer must read
    them: help, `--`, `-`, short options combined or joined to a value, a flag given a
    value, an unknown option, a missing value or one that starts with `-`. Both fast paths
    (`check`, `new`) read the same forms."""
    plain: list[str] = []
    at = 0
    while at < len(args):
        arg = args[at]
        at += 1
        if not arg.startswith("-"):
            plain.append(arg)
            continue
        name, joined, value = arg.partition("=")
        if name in flags and not joined:
            given[flags[name]] = True
            continue
        field = valued.get(name) or repeated.get(name)
        if field is None or (joined and not name.startswith("--")):
            return None
        if not joined:
            if at == len(args) or args[at].startswith("-"):
                return None  # a missing value, or one click may read differently
            value = args[at]
            at += 1
        if name in repeated:
            given[field] = [*(given[field] or ()), value]  # type: ignore[misc]
        else:
            given[field] = value
    return plain


def check_fields(args: Sequence[str], formats: Collection[str]) -> dict[str, object] | None:
    """The CheckCommand fields `scaffold check ARGS` stands for (`formats`: the --format
    names), or None when Typer must read ARGS."""
    given = dict(DEFAULTS)
    paths = read_plain(args, given, FLAGS, VALUED, {})
    if paths is None:
        return None
    output_format = str(given["output_format"]).lower()
    if output_format not in formats:
        return None
    no_cache = given.pop("no_cache")
    return given | {
        "paths": tuple(paths) or (".",),
        "output_format": output_format,
        "use_cache": not no_cache,
    }
