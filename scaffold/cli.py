"""The Typer command line: parse options, call one library function, render, exit.

Nothing here imports copier or jinja2 at module level: `scaffold --help` and
`scaffold check` must stay fast, so the generate path is imported inside the
commands that need it.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from scaffold import __version__
from scaffold.errors import ScaffoldError

__all__ = ["app", "main"]

app = typer.Typer(
    name="scaffold",
    help="Generate Python modules, packages and workspaces; check their exports and imports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


# --- check commands ---
@app.command("check")
def _check(
    paths: Annotated[
        list[str] | None,
        typer.Argument(metavar="[PATH]...", help="Projects, folders or files (default: .)."),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", metavar="FORMAT", help="Output: text, json, sarif or github.")
    ] = "text",
    select: Annotated[
        str | None,
        typer.Option(
            "--select", metavar="CODES", help="Rule codes or prefixes to run, comma-separated."
        ),
    ] = None,
    ignore: Annotated[
        str | None,
        typer.Option(
            "--ignore", metavar="CODES", help="Rule codes or prefixes to skip, comma-separated."
        ),
    ] = None,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when there are findings.")
    ] = False,
    statistics: Annotated[
        bool, typer.Option("--statistics", help="Print counts per rule instead of findings.")
    ] = False,
) -> None:
    """Check exports (__all__) and import hygiene of a Python tree."""
    from scaffold.check.command import run_check_command

    raise typer.Exit(
        run_check_command(paths or ["."], output_format, select, ignore, exit_zero, statistics)
    )


@app.command("rules")
def _rules() -> None:
    """List every check rule: code, name, default severity, fix."""
    from scaffold.check.report import render_rules

    typer.echo(render_rules(), nl=False)


@app.command("rule")
def _rule(
    code: Annotated[str, typer.Argument(metavar="CODE", help="A rule code such as EXP001.")],
) -> None:
    """Explain one check rule, with a bad and a good example."""
    from scaffold.check.rules import get_rule

    rule = get_rule(code)
    if rule is None:
        raise ScaffoldError(f"unknown rule code {code!r} (see `scaffold rules`)")
    typer.echo(rule.explain(), nl=False)


# --- end check commands ---


def _debug_enabled() -> bool:
    return os.environ.get("SCAFFOLD_DEBUG", "") not in ("", "0")


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"scaffold {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Print the version."
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks for internal errors.")
    ] = False,
) -> None:
    """Generate Python modules, packages and workspaces; check their exports and imports."""
    if debug:
        os.environ["SCAFFOLD_DEBUG"] = "1"


def main(argv: list[str] | None = None) -> int:
    """Run the command line; map every failure to a one-line message and an exit code."""
    try:
        app(args=argv, prog_name="scaffold")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except ScaffoldError as exc:
        if _debug_enabled():
            raise
        typer.secho(f"error: {exc.message}", err=True, fg=typer.colors.RED)
        return exc.exit_code
    except KeyboardInterrupt:
        typer.echo("Interrupted.", err=True)
        return 130
    except Exception as exc:
        if _debug_enabled():
            raise
        typer.secho(
            f"error: internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)",
            err=True,
            fg=typer.colors.RED,
        )
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
