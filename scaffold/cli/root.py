"""The Typer app: the root command group and its command groups, built when a command needs them."""

# Each command group lives in its own module and imports the library it calls
# inside the command: `scaffold --help` and `scaffold check` must not pay for
# copier or jinja2 (tests/test_startup.py).

from __future__ import annotations

import os
from typing import Annotated, Any

import typer
from typer.core import TyperGroup
from typer.main import get_command_name

from scaffold import __version__
from scaffold.cli import Interrupted, add, check, graph, new, server, templates, update

__all__ = ["app", "app_for"]


class _RootGroup(TyperGroup):
    """The root command group: a Ctrl-C leaves it as `Interrupted`.

    Typer turns a KeyboardInterrupt into a silent exit code 130, which `main` cannot tell
    from a command that returned 130; this way it can say "Interrupted.".
    """

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:
            raise Interrupted(getattr(exc, "summary", None)) from None


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


def app_for(args: list[str]) -> typer.Typer:
    """The root app holding only the group of the command that `args` starts with, if any.

    Typer builds the click object of every command it holds, reading each one's signature
    (~20 ms for all of them); a run needs one. Anything else (no command, a root option
    first, help, completion) gets the whole app.
    """
    for group, name in _GROUPS if args else ():
        if args[0] in _names(group, name):
            return _root_app(((group, name),))
    return app
