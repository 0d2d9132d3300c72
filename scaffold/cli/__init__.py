"""The command line's entry point: `main` runs a command and maps every failure to a message.

`scaffold check`, `scaffold graph`, the built-in `scaffold new` commands with arguments that
need neither help nor an error message, and `scaffold server` run without Typer
(`check_argv`, `graph_argv`, `new_argv`); everything else goes through the Typer app
(`root`), built on first use.
"""

# Typer is imported only where it is used: it costs ~0.08 s CPU, which a check of a small
# tree or a warm check of a large one would otherwise pay on every run (issue 20).

from __future__ import annotations

import contextlib
import os
import sys
from typing import TYPE_CHECKING, NoReturn

from scaffold.cli.check_argv import COMPLETION_VARIABLE, check_fields
from scaffold.errors import ScaffoldError, printable

if TYPE_CHECKING:
    from scaffold.cli.root import app

__all__ = ["Interrupted", "app", "main", "run_console"]


class Interrupted(Exception):
    """A Ctrl-C that reached the top of a command; `summary`, when the command knows, says
    what it had done (`--fix`: the files it fixed), in place of a bare "Interrupted."."""

    def __init__(self, summary: str | None = None) -> None:
        super().__init__(summary)
        self.summary = summary


def __getattr__(name: str) -> object:
    # `scaffold.cli.app`, the Typer app, is built when asked for (its import costs Typer's).
    if name == "app":
        from scaffold.cli.root import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; map every failure to a one-line message and an exit code."""
    try:
        args = sys.argv[1:] if argv is None else argv
        result = _run(args)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except ScaffoldError as exc:
        if _debug_enabled():
            raise
        _error(exc.message)
        return exc.exit_code
    except (KeyboardInterrupt, Interrupted) as exc:
        from scaffold.interrupts import exit_code_of_interrupt

        with contextlib.suppress(OSError):  # SIGHUP: the terminal may be gone
            _echo(getattr(exc, "summary", None) or "Interrupted.")
        return exit_code_of_interrupt()  # 130 for Ctrl-C; 143 for SIGTERM, 129 for SIGHUP
    except Exception as exc:
        if _is_click_exception(exc):
            return _report_click_exception(exc)
        if _debug_enabled():
            raise
        _error(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)")
        return 2
    return result if isinstance(result, int) else 0


def run_console() -> NoReturn:
    """The `scaffold` console script and `python -m scaffold`: `main`, then the exit."""
    from scaffold.check.memory import keeping_until_exit

    keeping_until_exit()  # what the command leaves is not freed one object at a time
    _exit_without_teardown(main())


def _exit_without_teardown(code: int) -> NoReturn:
    """Exit with `code` once the output is flushed and the atexit handlers have run, without
    the interpreter's teardown, which frees every object still alive one by one: after a
    check of a large tree that is ~0.02 s CPU of a 0.2-0.3 s run (mypy exits the same way).
    While another thread runs, or the output cannot be flushed (a closed pipe), the
    interpreter exits as usual: it waits for the thread, or reports the pipe. Work the
    command left running to the end (a cache being written) is waited for first."""
    memory = sys.modules.get("scaffold.check.memory")
    if memory is not None:
        with contextlib.suppress(KeyboardInterrupt):  # then the interpreter waits below
            memory.finish_background()
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    import atexit

    atexit._run_exitfuncs()
    os._exit(code)


def _run(args: list[str]) -> object:
    """Run the command `args` names: a plain `scaffold check`, `scaffold graph` or built-in
    `scaffold new` directly, any other with Typer."""
    plain = bool(args) and COMPLETION_VARIABLE not in os.environ
    if plain and args[0] == "check":
        from scaffold.check.output import FORMATS

        fields = check_fields(args[1:], FORMATS)
        if fields is not None:
            from scaffold.check.command import CheckCommand, run_check_command

            return run_check_command(CheckCommand(**fields))  # type: ignore[arg-type]
    if plain and args[0] == "graph":
        from scaffold.cli.graph_argv import graph_fields

        keywords = graph_fields(args[1:])
        if keywords is not None:
            from scaffold.check.graph_render import print_graph

            return print_graph(**keywords)  # type: ignore[arg-type]
    if plain and args[0] == "new":
        from scaffold.cli.new_argv import new_fields

        reading = new_fields(args[1:])
        if reading is not None:
            from scaffold.cli import new_run

            command, keywords = reading
            return getattr(new_run, f"new_{command}")(**keywords)
    if plain and args[0] == "server" and args[1:] in ([], ["--stdio"]):
        # The server forks its first check as soon as it has read the client's first
        # message; Typer's import and the app's build (~0.04-0.08 s CPU) would come first.
        from scaffold.check.server import serve

        serve()
    from scaffold.cli.root import app_for

    return app_for(args)(args=args, prog_name="scaffold", standalone_mode=False)


def _debug_enabled() -> bool:
    return os.environ.get("SCAFFOLD_DEBUG", "") not in ("", "0")


def _error(message: str) -> None:
    import typer  # the output of a failure only

    # click drops the colour when stderr is not a terminal; NO_COLOR is the user's veto.
    colour = None if os.environ.get("NO_COLOR") else typer.colors.RED
    typer.secho(f"error: {printable(message)}", err=True, fg=colour)


def _echo(message: str, *, err: bool = True) -> None:
    import typer  # the output of a failure only

    typer.echo(message, err=err)


def _is_click_exception(exc: BaseException) -> bool:
    # Typer vendors click in some versions and depends on it in others; the
    # exception's class name is the one stable handle on its usage errors.
    return any(cls.__name__ == "ClickException" for cls in type(exc).__mro__)


def _report_click_exception(exc: Exception) -> int:
    exit_code = int(getattr(exc, "exit_code", 2))
    if type(exc).__name__ == "NoArgsIsHelpError":
        ctx = getattr(exc, "ctx", None)
        if ctx is not None:
            _echo(ctx.get_help(), err=False)
        return exit_code
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    ctx = getattr(exc, "ctx", None)
    hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    _error(" ".join(f"{message}{hint}".split()))
    return exit_code
