"""The Typer command line: the root app, its command groups, and `main`, which maps failures."""

# Each command group lives in its own module and imports the library it calls
# inside the command: `scaffold --help` and `scaffold check` must not pay for
# copier or jinja2 (tests/test_startup.py).

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup
from typer.main import get_command_name

from scaffold import __version__
from scaffold.cli import add, check, graph, new, server, templates, update
from scaffold.errors import ScaffoldError, printable

__all__ = ["app", "main"]


class _Interrupted(Exception):
    """A Ctrl-C that reached the top of a command."""


class _RootGroup(TyperGroup):
    """The root command group: a Ctrl-C leaves it as `_Interrupted`.

    Typer turns a KeyboardInterrupt into a silent exit code 130, which `main` cannot tell
    from a command that returned 130; this way it can say "Interrupted.".
    """

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise _Interrupted from None


# Each command group, with the name it is added under (None: its commands are the root's),
# in the order --help lists them.
_GROUPS: tuple[tuple[typer.Typer, str | None], ...] = (
    (update.app, None),
    (check.app, None),
    (graph.app, None),
    (server.app, None),
    (new.app, "new"),
    (add.app, "add"),
    (templates.app, "templates"),
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"scaffold {__version__}")
        raise typer.Exit(0)


def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_version_callback, is_eager=True, help="Print the version."
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks for internal errors.")
    ] = False,
) -> None:
    """Generate Python modules, packages and workspaces; check their exports and imports."""
    if debug:
        os.environ["SCAFFOLD_DEBUG"] = "1"


def _root_app(groups: tuple[tuple[typer.Typer, str | None], ...]) -> typer.Typer:
    root = typer.Typer(
        cls=_RootGroup,
        name="scaffold",
        help="Generate Python modules, packages and workspaces; check their exports and imports.",
        no_args_is_help=True,
        add_completion=True,
        pretty_exceptions_enable=False,
        # Plain help: rendering it with rich imports rich, markdown-it and pygments, which
        # cost `--help` more than half its time (docs/decisions.md, issue 20).
        rich_markup_mode=None,
    )
    for group, name in groups:
        root.add_typer(group, name=name)
    root.callback()(_root)
    return root


app = _root_app(_GROUPS)


def _names(group: typer.Typer, name: str | None) -> set[str]:
    if name is not None:
        return {name}
    return {
        info.name or get_command_name(info.callback.__name__)
        for info in group.registered_commands
        if info.callback is not None
    }


def _app_for(args: list[str]) -> typer.Typer:
    """The root app holding only the group of the command that `args` starts with, if any.

    Typer builds the click object of every command it holds, reading each one's signature
    (~20 ms for all of them); a run needs one. Anything else (no command, a root option
    first, help, completion) gets the whole app.
    """
    for group, name in _GROUPS if args else ():
        if args[0] in _names(group, name):
            return _root_app(((group, name),))
    return app


def main(argv: list[str] | None = None) -> int:
    """Run the command line; map every failure to a one-line message and an exit code."""
    try:
        args = sys.argv[1:] if argv is None else argv
        result = _app_for(args)(args=args, prog_name="scaffold", standalone_mode=False)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except ScaffoldError as exc:
        if _debug_enabled():
            raise
        _error(exc.message)
        return exc.exit_code
    except (KeyboardInterrupt, _Interrupted):
        typer.echo("Interrupted.", err=True)
        return 130
    except Exception as exc:
        if _is_click_exception(exc):
            return _report_click_exception(exc)
        if _debug_enabled():
            raise
        _error(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)")
        return 2
    return result if isinstance(result, int) else 0


def _debug_enabled() -> bool:
    return os.environ.get("SCAFFOLD_DEBUG", "") not in ("", "0")


def _error(message: str) -> None:
    # click drops the colour when stderr is not a terminal; NO_COLOR is the user's veto.
    colour = None if os.environ.get("NO_COLOR") else typer.colors.RED
    typer.secho(f"error: {printable(message)}", err=True, fg=colour)


def _is_click_exception(exc: BaseException) -> bool:
    # Typer vendors click in some versions and depends on it in others; the
    # exception's class name is the one stable handle on its usage errors.
    return any(cls.__name__ == "ClickException" for cls in type(exc).__mro__)


def _report_click_exception(exc: Exception) -> int:
    exit_code = int(getattr(exc, "exit_code", 2))
    if type(exc).__name__ == "NoArgsIsHelpError":
        ctx = getattr(exc, "ctx", None)
        if ctx is not None:
            typer.echo(ctx.get_help())
        return exit_code
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    ctx = getattr(exc, "ctx", None)
    hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    _error(" ".join(f"{message}{hint}".split()))
    return exit_code
