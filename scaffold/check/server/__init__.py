"""The language server (`scaffold server`): `scaffold check`'s findings in the editor."""

from __future__ import annotations

from typing import NoReturn

__all__ = ["serve"]


def serve() -> NoReturn:
    """Run the language server over stdin and stdout until the client says exit."""
    import sys
    from typing import BinaryIO, cast

    from scaffold.check.options import CheckOptions
    from scaffold.check.server.early import Incoming, Replay, read_first_message, roots_of
    from scaffold.check.server.first import check_in_fork

    # A forked child checks the folders the client's initialize request (read ahead here
    # and handed on to pygls unread) names, as `scaffold check` would: through
    # `.scaffold_cache/`, parsing in workers forked from it, its results and facts stored
    # there. It forks as soon as that request is read, before anything only the server
    # needs is imported: the check imports its rules while its workers parse, and the
    # server's own modules (the engine, pygls) load after the first diagnostics are sent
    # (start.py), so that on a machine whose cores the check keeps busy nothing runs
    # before them that a cold `scaffold check` does not run. Where no child can fork, the
    # first read runs in a thread, its workers forking from a forkserver started only when
    # some file needs parsing.
    incoming = Incoming(sys.stdin.fileno())  # read from the descriptor: start.py waits on it
    first = read_first_message(incoming)
    options = CheckOptions()
    roots = roots_of(first)
    checks = check_in_fork(roots, options)  # before any thread of this process
    from scaffold.check.server.start import start_session

    start = start_session(incoming, first, checks)
    from scaffold.check.incremental.pool import prepare_forkserver
    from scaffold.check.server.engine import Workspace

    prepare_forkserver(start=False)
    engine = Workspace(options)
    for root in roots:
        engine.read_ahead(root, checks.results[root], checks.stored)
    from scaffold.check.server.compiled import attrs_compiled_once, default_store

    with attrs_compiled_once(default_store()):
        from scaffold.check.server.lsp import build_server

    server = build_server(engine, start)
    # pygls reads its input only by readline() and read(n), which Replay answers: the
    # messages the start kept, what it read past them, then the rest of the stream.
    head = b"".join(start.messages) + incoming.rest()
    server.start_io(cast(BinaryIO, Replay(head, sys.stdin.buffer)))
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
    checks.end()  # the first check's child, if the editor closed before it finished
    logging.shutdown()  # pygls has flushed and closed stdout, the protocol's channel
    os._exit(0 if server.shut_down else 1)  # LSP: 1 when exit came without shutdown
