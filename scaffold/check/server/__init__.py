"""The language server (`scaffold server`): `scaffold check`'s findings in the editor."""

from __future__ import annotations

__all__ = ["serve"]


def serve() -> None:
    """Run the language server over stdin and stdout until the client says exit."""
    import sys
    from typing import BinaryIO, cast

    from scaffold.check.incremental.pool import prepare_forkserver
    from scaffold.check.server.early import Replay, read_first_message, roots_of
    from scaffold.check.server.engine import Workspace

    # Importing pygls and lsprotocol takes about half a second: the workspace's first read
    # runs meanwhile, from the folders the client's initialize request (read ahead here and
    # handed on to pygls unread) names, its parsing workers forking from a forkserver that
    # is loading on the other core by then.
    prepare_forkserver()
    stdin = sys.stdin.buffer
    first = read_first_message(stdin)
    engine = Workspace()
    for root in roots_of(first):
        engine.read_ahead(root)
    from scaffold.check.server.lsp import build_server

    # pygls reads its input only by readline() and read(n), which Replay answers.
    build_server(engine).start_io(cast(BinaryIO, Replay(first, stdin)))
