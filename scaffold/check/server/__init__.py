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

    # Importing pygls and lsprotocol takes about a third of a second: the workspace's first
    # read runs meanwhile, from the folders the client's initialize request (read ahead here
    # and handed on to pygls unread) names. Its facts come from `.scaffold_cache/` for the
    # files unchanged since the last check or server wrote it; the others are parsed by
    # workers forking from a forkserver, started only when some file needs parsing (a warm
    # start parses none) and loading on the other core meanwhile.
    prepare_forkserver(start=False)
    stdin = sys.stdin.buffer
    first = read_first_message(stdin)
    engine = Workspace()
    for root in roots_of(first):
        engine.read_ahead(root)
    from scaffold.check.server.compiled import attrs_compiled_once, default_store

    with attrs_compiled_once(default_store()):
        from scaffold.check.server.lsp import build_server

    server = build_server(engine)
    # pygls reads its input only by readline() and read(n), which Replay answers.
    server.start_io(cast(BinaryIO, Replay(first, stdin)))
    # The client said exit, or went away. Leave now: at the interpreter's exit, a first
    # read or an analysis still running would be waited for (its thread, its process
    # pool), for a minute on a large tree under load, and the editor would see a server
    # that does not stop. Nothing is left to save: the server keeps no files.
    import logging
    import multiprocessing
    import os

    for worker in multiprocessing.active_children():
        # A parsing worker of that read would be left blocked on its result pipe for ever.
        worker.terminate()
    logging.shutdown()  # pygls has flushed and closed stdout, the protocol's channel
    os._exit(0 if server.shut_down else 1)  # LSP: 1 when exit came without shutdown
