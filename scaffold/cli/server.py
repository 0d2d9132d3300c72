"""`scaffold server`: the language server for editors, over stdin and stdout."""

from __future__ import annotations

from typing import Annotated

import typer

from scaffold.cli.render import examples

__all__ = ["app"]

app = typer.Typer()


@app.command(
    "server",
    epilog=examples("scaffold server", "scaffold server --stdio"),
)
def server(
    stdio: Annotated[
        bool,
        typer.Option("--stdio", help="Talk LSP over stdin/stdout (the default and only way)."),
    ] = True,
) -> None:
    """Run the language server (LSP over stdio): diagnostics, fixes and rule docs as you type."""
    # Imported here: pygls costs start-up that `scaffold --help` and `check` must not pay.
    from scaffold.check.server import serve

    serve()
