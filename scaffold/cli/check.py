"""`scaffold check`, `scaffold rules`, `scaffold rule CODE`: the checker's commands."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from scaffold.cli.options import format_option
from scaffold.cli.render import examples
from scaffold.errors import ScaffoldError

__all__ = ["CheckFormat", "app"]

app = typer.Typer()


class CheckFormat(StrEnum):
    """The renderings of a report (the names of scaffold.check.output.FORMATS)."""

    # Mirrored, not imported: importing the checker costs `scaffold --help` ~0.1 s.
    # tests/test_cli_options.py keeps the two equal.
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"


PathsArgument = Annotated[
    list[str] | None,
    typer.Argument(metavar="[PATH]...", help="Projects, folders or files (default: .)."),
]
FormatOption = Annotated[CheckFormat, format_option(CheckFormat, metavar="FORMAT")]
SelectOption = Annotated[
    str | None,
    typer.Option(
        "--select", metavar="CODES", help="Rule codes or prefixes to run, comma-separated."
    ),
]
IgnoreOption = Annotated[
    str | None,
    typer.Option(
        "--ignore", metavar="CODES", help="Rule codes or prefixes to skip, comma-separated."
    ),
]
ExitZeroOption = Annotated[
    bool, typer.Option("--exit-zero", help="Exit 0 even when there are findings.")
]
StatisticsOption = Annotated[
    bool, typer.Option("--statistics", help="Print counts per rule instead of findings.")
]
FixOption = Annotated[
    bool, typer.Option("--fix", help="Apply the safe fixes, then report what remains.")
]
UnsafeFixesOption = Annotated[
    bool, typer.Option("--unsafe-fixes", help="With --fix, also apply fixes that change the API.")
]
DiffOption = Annotated[
    bool, typer.Option("--diff", help="Print the fixes as a unified diff; write nothing.")
]
ImportOption = Annotated[
    bool,
    typer.Option(
        "--import",
        help="Also import each package in a subprocess (runs its code) and report RUN001.",
    ),
]
NoCacheOption = Annotated[
    bool, typer.Option("--no-cache", help="Neither read nor write .scaffold_cache/.")
]
CacheDirOption = Annotated[
    str | None,
    typer.Option(
        "--cache-dir",
        metavar="DIR",
        help="Keep the cache in DIR (default: $SCAFFOLD_CACHE_DIR, else .scaffold_cache/ at"
        " the project root).",
    ),
]
WatchOption = Annotated[
    bool,
    typer.Option(
        "--watch", help="Check again on every change on disk; print what changed (Ctrl-C stops)."
    ),
]


@app.command(
    "check",
    epilog=examples(
        "scaffold check",
        "scaffold check src --select EXP,IMP --format github",
        "scaffold check . --fix --diff",
        "scaffold check . --watch",
    ),
)
def check(
    paths: PathsArgument = None,
    output_format: FormatOption = CheckFormat.TEXT,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    exit_zero: ExitZeroOption = False,
    statistics: StatisticsOption = False,
    fix: FixOption = False,
    unsafe_fixes: UnsafeFixesOption = False,
    diff: DiffOption = False,
    run_imports: ImportOption = False,
    no_cache: NoCacheOption = False,
    cache_dir: CacheDirOption = None,
    watch: WatchOption = False,
) -> None:
    """Check exports (__all__) and import hygiene of a Python tree."""
    from scaffold.check.command import run_check_command

    raise typer.Exit(
        run_check_command(
            paths or ["."],
            output_format.value,
            select,
            ignore,
            exit_zero,
            statistics,
            fix=fix,
            unsafe_fixes=unsafe_fixes,
            diff=diff,
            run_imports=run_imports,
            use_cache=not no_cache,
            cache_dir=cache_dir,
            watch=watch,
        )
    )


@app.command(
    "rules",
    epilog=examples(
        "scaffold rules",
    ),
)
def rules() -> None:
    """List every check rule: code, name, default severity, fix."""
    from scaffold.check.output.rule_table import render_rules

    typer.echo(render_rules(), nl=False)


@app.command(
    "rule",
    epilog=examples(
        "scaffold rule EXP001",
    ),
)
def rule(
    code: Annotated[str, typer.Argument(metavar="CODE", help="A rule code such as EXP001.")],
) -> None:
    """Explain one check rule, with a bad and a good example."""
    from scaffold.check.rules import get_rule

    found = get_rule(code)
    if found is None:
        raise ScaffoldError(f"unknown rule code {code!r} (see `scaffold rules`)")
    typer.echo(found.explain(), nl=False)
