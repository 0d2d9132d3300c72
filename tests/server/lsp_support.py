"""A real LSP client (pytest-lsp) talking to `python -m scaffold server` over stdio, and
the waits and edits the server tests share."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

__all__ = [
    "PULL",
    "PUSH",
    "change",
    "codes_by_file",
    "open_file",
    "quiet",
    "session",
    "until",
    "write_tree",
]

# Generous: only ever reached when the awaited state never comes (a failing test).
_PATIENCE = 20.0

PUSH = lsp.ClientCapabilities(
    workspace=lsp.WorkspaceClientCapabilities(
        did_change_watched_files=lsp.DidChangeWatchedFilesClientCapabilities(
            dynamic_registration=True
        ),
        workspace_folders=True,
    )
)
PULL = lsp.ClientCapabilities(
    text_document=lsp.TextDocumentClientCapabilities(
        diagnostic=lsp.DiagnosticClientCapabilities(related_document_support=True)
    ),
    workspace=lsp.WorkspaceClientCapabilities(
        diagnostics=lsp.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    ),
)


def write_tree(root: Path, files: Mapping[str, str]) -> Path:
    """Write `files` (relative path -> text) under `root`; return `root`."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@asynccontextmanager
async def session(
    roots: Sequence[Path],
    capabilities: lsp.ClientCapabilities = PUSH,
    options: dict[str, Any] | None = None,
    command: Sequence[str] = (sys.executable, "-m", "scaffold", "server"),
) -> AsyncIterator[LanguageClient]:
    """A started, initialised server over the workspace folders `roots`; shut down after."""
    config = ClientServerConfig(server_command=list(command))
    client = await config.start()
    assert isinstance(client, LanguageClient)
    registrations: list[lsp.Registration] = []

    @client.feature(lsp.CLIENT_REGISTER_CAPABILITY)  # type: ignore[untyped-decorator]
    def register(params: lsp.RegistrationParams) -> None:
        registrations.extend(params.registrations)

    client.registrations = registrations  # type: ignore[attr-defined]
    folders = [lsp.WorkspaceFolder(uri=root.as_uri(), name=root.name) for root in roots]
    await client.initialize_session(
        lsp.InitializeParams(
            capabilities=capabilities,
            root_uri=roots[0].as_uri(),
            workspace_folders=folders,
            initialization_options={"debounce": 0, **(options or {})},
        )
    )
    try:
        yield client
    finally:
        await client.shutdown_session()
        await client.stop()  # type: ignore[no-untyped-call]


def codes_by_file(client: LanguageClient, root: Path) -> dict[str, list[tuple[str, int]]]:
    """The pushed diagnostics: relative path -> [(code, 0-based line)], files with any."""
    result: dict[str, list[tuple[str, int]]] = {}
    for uri, diagnostics in client.diagnostics.items():
        path = Path(uri.removeprefix("file://"))
        if diagnostics and path.is_relative_to(root):
            result[path.relative_to(root).as_posix()] = sorted(
                (str(d.code), d.range.start.line) for d in diagnostics
            )
    return result


async def until(client: LanguageClient, holds: Callable[[], bool]) -> None:
    """Wait for pushed diagnostics until `holds()` is true."""

    async def wait() -> None:
        while not holds():
            await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    try:
        await asyncio.wait_for(wait(), _PATIENCE)
    except TimeoutError:
        shown = {
            uri: [(d.code, d.range.start.line) for d in found]
            for uri, found in client.diagnostics.items()
        }
        raise AssertionError(f"never came; the client holds {shown}") from None


async def quiet(client: LanguageClient, path: Path) -> None:
    """Wait until the server has shown the analysis of everything sent to it so far.

    A hover is answered only once the server is `ready()`: every change it was sent before
    has been analysed and its results published, and the results of its first check
    replaced by its own. The server writes those notifications before the answer, and the
    client handles them in order, so the pushed diagnostics are then the server's last.
    (`until` cannot tell that: a state it waits for may be passed through on the way, while
    one analysis's files arrive one by one, or be the state before the server read a
    change.) `path`: any file of the workspace that exists."""
    position = lsp.Position(0, 0)
    await asyncio.wait_for(
        client.text_document_hover_async(
            lsp.HoverParams(lsp.TextDocumentIdentifier(path.as_uri()), position)
        ),
        _PATIENCE,
    )


def open_file(client: LanguageClient, path: Path, text: str | None = None) -> None:
    """didOpen with `text`, else the file's own."""
    content = path.read_text(encoding="utf-8") if text is None else text
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(path.as_uri(), "python", 1, content))
    )


def change(
    client: LanguageClient,
    path: Path,
    version: int,
    start: tuple[int, int],
    end: tuple[int, int],
    text: str,
) -> None:
    """One incremental didChange: replace the range from `start` to `end` (0-based line,
    UTF-16 column) by `text`."""
    area = lsp.Range(lsp.Position(*start), lsp.Position(*end))
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=path.as_uri(), version=version),
            [lsp.TextDocumentContentChangePartial(range=area, text=text)],
        )
    )


# What a client that is pushed to sees of test_server_neovim's project: every file's
# findings, the two files never opened included.
PUSHED_EVERYWHERE = {
    "pkg/__init__.py": [("EXP001", 4), ("EXP003", 4)],
    "pkg/a.py": [("IMP002", 2)],
    "pkg/b.py": [("IMP003", 2)],
}


async def assert_pushed_every_file(
    root: Path, params: Callable[[LanguageClient], lsp.InitializeParams]
) -> None:
    """Start the server, initialize it with `params(client)` and open `pkg/__init__.py` of
    the project at `root`: no pull is offered, and every file's findings are pushed."""
    config = ClientServerConfig(server_command=[sys.executable, "-m", "scaffold", "server"])
    client = await config.start()
    assert isinstance(client, LanguageClient)
    try:
        result = await client.initialize_session(params(client))
        assert result.capabilities.diagnostic_provider is None
        open_file(client, root / "pkg/__init__.py")
        await until(client, lambda: codes_by_file(client, root) == PUSHED_EVERYWHERE)
    finally:
        await client.shutdown_session()
        await client.stop()  # type: ignore[no-untyped-call]
