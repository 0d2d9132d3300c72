"""`scaffold server`: the language server (pygls) over the in-memory workspace of engine.py.

Every change (a buffer opened, edited, closed or saved; files created, deleted or renamed on
disk; a workspace folder added) schedules one analysis after a short pause, so a burst of
keystrokes costs one run; the analysis runs in a thread and is given up when a newer change
arrives (schedule.py); a request that needs results (pull diagnostics, code actions, hover)
waits for the scheduled run and is answered from it. Diagnostics are pulled
(`textDocument/diagnostic`, `workspace/diagnostic`) by clients that pull and can be asked to
pull again, and pushed (`publishDiagnostics`) to the others, which are offered no pull.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import to_fs_path

from scaffold import __version__
from scaffold.check.model import Diagnostic
from scaffold.check.server.actions import FileView
from scaffold.check.server.convert import Lines, lines_of, to_lsp
from scaffold.check.server.engine import Workspace
from scaffold.check.server.first import store_in_background
from scaffold.check.server.schedule import Scheduler
from scaffold.check.server.start import Start
from scaffold.errors import ScaffoldError, one_line
from scaffold.files import read_regular

__all__ = ["ScaffoldServer", "build_server"]

logger = logging.getLogger(__name__)

# What a change on disk may affect: sources, and what discovery and configuration read.
# `.git/info/exclude` changes the file list as a `.gitignore` does.
WATCHED = (
    "**/*.py",
    "**/*.pyi",
    "**/pyproject.toml",
    "**/.gitignore",
    "**/.git/info/exclude",
    "**/__init__.py",
)


def _path(uri: str) -> Path | None:
    path = to_fs_path(uri)
    return None if path is None else Path(path)


class _Protocol(LanguageServerProtocol):
    """pygls' protocol, but silent where the start (start.py) answered already; its own
    answer to `initialize`, where the start sent one, is compared with that one."""

    _server: ScaffoldServer

    def _send_response(self, msg_id: Any, result: Any = None, error: Any = None) -> None:
        if isinstance(result, lsp.InitializeResult) and not self._server.pull:
            # Pushed to: offered no pull either, or a client that pulls what it is offered
            # (Neovim 0.10+) would show its pulled findings beside the pushed ones.
            result.capabilities.diagnostic_provider = None
        start = self._server.start
        if msg_id in start.answered:
            start.answered.discard(msg_id)
            if msg_id == start.initialize_id:
                sent = start.answer
                own = None if error is not None else self._converter.unstructure(result)
                if own != sent:  # answers.py is not pygls' builder (a test says it is)
                    logger.error("initialize was answered %r, pygls answers %r", sent, error or own)
            return
        super()._send_response(msg_id, result, error)


class ScaffoldServer(LanguageServer):
    """The language server: the workspace, the last results, and the pending analysis."""

    def __init__(self, engine: Workspace | None = None, start: Start | None = None) -> None:
        super().__init__(
            "scaffold", __version__, lsp.TextDocumentSyncKind.Incremental, protocol_cls=_Protocol
        )
        self.start = start if start is not None else Start([])
        self.engine = engine if engine is not None else Workspace()
        self.results: dict[Path, list[Diagnostic]] = {}
        self.shown: dict[Path, list[lsp.Diagnostic]] = {}
        self.published: dict[Path, list[lsp.Diagnostic]] = {}
        self.generation = 0  # analyses shown so far; a pulled report's result id
        self.pull = False
        self.shut_down = False  # the client asked for shutdown (before exit, as it should)
        self.docs_url: str | None = None
        self._failure_shown: str | None = None  # the bad-input message last shown
        self._notes_logged: frozenset[str] = frozenset()
        self.store_wanted = False  # a file was saved since the cache was last brought up to date
        self._storing: BaseProcess | None = None
        self.scheduler: Scheduler[dict[Path, list[Diagnostic]]] = Scheduler(
            self.engine.analyse, self.show, self.report_failure
        )
        self._lines: dict[Path, Lines | None] = {}
        # Each file's last conversion, kept while its findings and its buffer are the same.
        self._converted: dict[
            Path, tuple[tuple[Diagnostic, ...], str | None, list[lsp.Diagnostic]]
        ] = {}

    # --- scheduling ------------------------------------------------------------------------

    def schedule(self, *, delay: float | None = None) -> None:
        """Something the analysis reads changed: analyse after a pause (schedule.py)."""
        self.scheduler.changed(delay=delay)

    async def settled(self) -> None:
        """Wait until the analysis of the last change has run."""
        await self.scheduler.settled()

    async def ready(self) -> None:
        """`settled`, and the workspace's state made (code actions read it)."""
        await self.scheduler.ready()

    def stop_pending(self) -> None:
        """Give up the scheduled or running analysis (shutdown)."""
        self.scheduler.stop()

    def report_failure(self, error: Exception) -> None:
        """A failed analysis is logged; the last results stand and the server stays up. Bad
        input (a pyproject.toml that does not validate) is shown to the user once, in the
        one line `scaffold check` prints, until an analysis succeeds again."""
        if isinstance(error, ScaffoldError):
            message = f"scaffold: {one_line(str(error))}"
            if message != self._failure_shown:
                self.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Error, message))
                self._failure_shown = message
            self.window_log_message(lsp.LogMessageParams(lsp.MessageType.Error, message))
            return
        logger.error("analysis failed", exc_info=error)
        self.window_log_message(
            lsp.LogMessageParams(lsp.MessageType.Error, "scaffold: the analysis failed")
        )

    def show(self, results: dict[Path, list[Diagnostic]]) -> None:
        """Keep the results of an analysis that saw every change so far, and tell the
        client what changed."""
        early, self.start.shown = self.start.shown, None
        self.generation += 1 if early is None or early == results else 2  # the start sent 1
        self._failure_shown = None
        self.results = results
        self._lines = {}
        if early is not None:  # the client holds what the start sent
            held = {path: self._convert(path, found) for path, found in early.items()}
            self.published = {path: shown for path, shown in held.items() if shown}
        self.shown = {path: self._convert(path, found) for path, found in results.items()}
        for gone in set(self._converted) - set(results):
            del self._converted[gone]
        self._log_notes()
        if self.pull:
            if early != results:
                self._refresh()
        else:
            self._publish()
        self._go_on()

    def _refreshed(self, results: dict[Path, list[Diagnostic]]) -> None:
        """The server's own results after those of the first check: shown only where they
        differ (a client that pulls would otherwise pull every file again for nothing)."""
        if results != self.results:
            self.show(results)
        else:
            self._go_on()

    def _go_on(self) -> None:
        """What follows an analysis shown: the server's own state made, if the results came
        from the first check; else the cache brought up to date, if a file was saved."""
        if self.engine.provisional:
            self.scheduler.refresh(self._refreshed)
        elif self.store_wanted:
            self._store()

    def _store(self) -> None:
        """Bring `.scaffold_cache/` up to date with the disk after a save, in a process of
        its own (first.py): a later `scaffold check` or start finds the saved files' results.
        The buffers' unsaved text is never stored. One at a time: while one runs, the next
        analysis shown starts the next."""
        if self._storing is not None and self._storing.is_alive():
            return
        self.store_wanted = False
        self._storing = store_in_background(list(self.engine.roots), self.engine.options)

    def _log_notes(self) -> None:
        """Log each note `scaffold check` would print (a file skipped for `max-file-size`,
        say) when it first appears, not again after each edit while it stands."""
        notes = self.engine.notes
        for note in notes:
            if note not in self._notes_logged:
                message = f"scaffold: note: {note}"
                self.window_log_message(lsp.LogMessageParams(lsp.MessageType.Info, message))
        self._notes_logged = frozenset(notes)

    # --- results ---------------------------------------------------------------------------

    def text(self, path: Path) -> str | None:
        """The text the last analysis read of `path` (the buffer's when open)."""
        document = self.workspace.text_documents.get(path.as_uri())
        if document is not None:
            return str(document.source)
        root = self.engine.root_of(path)
        if root is None or root.tree is None:
            # Results of the first check (of the disk) shown before the tree is read here.
            try:
                return read_regular(path).decode("utf-8", errors="replace")
            except OSError:
                return None
        known = root.text_of(root.tree.rel(path))
        return None if known is None else known.text()

    def lines(self, path: Path) -> Lines | None:
        """`text(path)` split into lines, once per analysis."""
        if path not in self._lines:
            text = self.text(path)
            # An ASCII line's code points, bytes and UTF-16 units are the same columns.
            self._lines[path] = None if text is None or text.isascii() else lines_of(text)
        return self._lines[path]

    def units(self, text: str) -> int:
        """Code units of `text` in the negotiated position encoding (UTF-16 by default)."""
        return int(self.workspace.position_codec.client_num_units(text))

    def _convert(self, path: Path, found: list[Diagnostic]) -> list[lsp.Diagnostic]:
        key = (tuple(found), self.engine.buffers.get(path))
        last = self._converted.get(path)
        if last is not None and last[:2] == key:
            return last[2]
        base = self.engine.base_of.get(path, path.parent)
        shown = [to_lsp(d, base, self.lines, self.units, self.docs_url) for d in found]
        self._converted[path] = (*key, shown)
        return shown

    def _publish(self) -> None:
        for path in sorted(set(self.published) | set(self.shown)):
            diagnostics = self.shown.get(path, [])
            if self.published.get(path) == diagnostics:
                continue
            document = self.workspace.text_documents.get(path.as_uri())
            version = document.version if document is not None else None
            self.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(path.as_uri(), diagnostics, version)
            )
            if diagnostics:
                self.published[path] = diagnostics
            else:
                self.published.pop(path, None)

    def _refresh(self) -> None:
        workspace = self.client_capabilities.workspace
        diagnostics = workspace.diagnostics if workspace is not None else None
        if diagnostics is not None and diagnostics.refresh_support:
            self.workspace_diagnostic_refresh(None)

    def view(self, uri: str) -> FileView | None:
        """A file of the last analysis, for code actions."""
        path = _path(uri)
        root = None if path is None else self.engine.root_of(path)
        if path is None or root is None or root.checked is None:
            return None
        text = self.text(path)
        if text is None:
            return None
        return FileView(uri, text, root.source_of(path), root.checked.project)

    def found_at(
        self, uri: str, area: lsp.Range, named: Sequence[lsp.Diagnostic] = ()
    ) -> list[tuple[Diagnostic, lsp.Diagnostic]]:
        """The diagnostics of `uri` whose range meets `area`, or that the client `named`
        (the ones it shows under the cursor)."""
        path = _path(uri)
        if path is None:
            return []
        asked = {(str(d.code), _key(d.range.start), _key(d.range.end)) for d in named}
        pairs = zip(self.results.get(path, []), self.shown.get(path, []), strict=True)
        return [
            (found, shown)
            for found, shown in pairs
            if _meets(shown.range, area)
            or (str(shown.code), _key(shown.range.start), _key(shown.range.end)) in asked
        ]


def _key(position: lsp.Position) -> tuple[int, int]:
    return (position.line, position.character)


def _meets(one: lsp.Range, other: lsp.Range) -> bool:
    return _key(one.start) <= _key(other.end) and _key(other.start) <= _key(one.end)


def build_server(engine: Workspace | None = None, start: Start | None = None) -> ScaffoldServer:
    """The server with every feature registered, over `engine` (else a new workspace), after
    `start` (what was answered before pygls loaded)."""
    server = ScaffoldServer(engine, start)
    from scaffold.check.server import features

    features.register(server)
    return server


def option(options: Any, name: str) -> Any:
    """One of the client's initializationOptions, or None."""
    return options.get(name) if isinstance(options, dict) else None
