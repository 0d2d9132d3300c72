"""The language server (`scaffold server`): `scaffold check`'s findings in the editor."""

from __future__ import annotations

__all__ = ["serve"]


def serve() -> None:
    """Run the language server over stdin and stdout until the client says exit."""
    from scaffold.check.server.lsp import build_server

    build_server().start_io()
