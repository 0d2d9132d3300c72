"""The LSP methods `scaffold server` answers, each a small handler over ScaffoldServer."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp
from pygls.uris import to_fs_path

from scaffold.check.server.actions import FIX_ALL, code_actions, fix_all, hover_codes, rule_markdown
from scaffold.check.server.documents import use_lsp_lines
from scaffold.check.server.lsp import WATCHED, ScaffoldServer, option
from scaffold.check.server.plain import default_docs_url

__all__ = ["register"]

_IDENTIFIER = "scaffold"


def _pulls(capabilities: lsp.ClientCapabilities) -> bool:
    """Whether diagnostics are pulled by this client rather than pushed to it: only by one
    that pulls and can be asked to pull again (`workspace/diagnostic/refresh`), as VS Code.
    Neovim 0.11 pulls, but only for its open buffers and never again after an edit in another
    file: pushed to, it shows every file's findings (start.py decides alike)."""
    text_document, workspace = capabilities.text_document, capabilities.workspace
    diagnostics = workspace.diagnostics if workspace is not None else None
    refreshes = diagnostics is not None and diagnostics.refresh_support is True
    return refreshes and text_document is not None and text_document.diagnostic is not None


def _path(uri: str) -> Path | None:
    path = to_fs_path(uri)
    return None if path is None else Path(path)


def register(server: ScaffoldServer) -> None:
    """Register every handler on `server`."""
    _lifecycle(server)
    _documents(server)
    _disk(server)
    _pull(server)
    _editing(server)


def _lifecycle(server: ScaffoldServer) -> None:
    @server.feature(lsp.INITIALIZE)
    def initialize(ls: ScaffoldServer, params: lsp.InitializeParams) -> None:
        use_lsp_lines(ls.workspace)
        options = params.initialization_options
        debounce = option(options, "debounce")
        if isinstance(debounce, int | float) and not isinstance(debounce, bool):
            ls.scheduler.debounce = max(float(debounce), 0.0)
        docs = option(options, "ruleDocsUrl")
        ls.docs_url = docs if isinstance(docs, str) else default_docs_url()
        ls.pull = _pulls(params.capabilities)
        for folder in ls.workspace.folders.values():
            if (path := _path(folder.uri)) is not None:
                ls.engine.add_root(path)
        if not ls.engine.roots and ls.workspace.root_path:
            ls.engine.add_root(Path(ls.workspace.root_path))

    @server.feature(lsp.INITIALIZED)
    async def initialized(ls: ScaffoldServer, params: lsp.InitializedParams) -> None:
        ls.schedule(delay=0)
        workspace = ls.client_capabilities.workspace
        watched = workspace.did_change_watched_files if workspace is not None else None
        if watched is not None and watched.dynamic_registration:
            watchers = [lsp.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED]
            registration = lsp.Registration(
                id="scaffold-watched-files",
                method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=lsp.DidChangeWatchedFilesRegistrationOptions(watchers),
            )
            await ls.client_register_capability_async(lsp.RegistrationParams([registration]))
            ls.engine.watching = True  # the client reports changes on disk from now on

    @server.feature(lsp.SHUTDOWN)
    def shutdown(ls: ScaffoldServer, params: None) -> None:
        ls.shut_down = True
        ls.stop_pending()


def _documents(server: ScaffoldServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ScaffoldServer, params: lsp.DidOpenTextDocumentParams) -> None:
        _buffer_changed(ls, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ScaffoldServer, params: lsp.DidChangeTextDocumentParams) -> None:
        _buffer_changed(ls, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: ScaffoldServer, params: lsp.DidSaveTextDocumentParams) -> None:
        # Configuration is read from disk, as ruff's and pyright's servers read theirs: a
        # pyproject.toml buffer's unsaved edits count once saved, even for a client that
        # reports no changes on disk (workspace/didChangeWatchedFiles).
        path = _path(params.text_document.uri)
        if path is not None:
            ls.engine.files_changed([path])
        ls.store_wanted = True
        ls.schedule()

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ScaffoldServer, params: lsp.DidCloseTextDocumentParams) -> None:
        path = _path(params.text_document.uri)
        if path is not None and ls.engine.buffers.pop(path, None) is not None:
            ls.schedule()


def _buffer_changed(ls: ScaffoldServer, uri: str) -> None:
    path = _path(uri)
    if path is None or path.suffix not in (".py", ".pyi"):
        return
    ls.engine.buffers[path] = ls.workspace.get_text_document(uri).source
    ls.schedule()


def _disk(server: ScaffoldServer) -> None:
    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: ScaffoldServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        paths = [p for change in params.changes if (p := _path(change.uri)) is not None]
        ls.engine.files_changed(paths)
        ls.schedule()

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def folders(ls: ScaffoldServer, params: lsp.DidChangeWorkspaceFoldersParams) -> None:
        for folder in params.event.removed:
            if (path := _path(folder.uri)) is not None:
                ls.engine.remove_root(path)
        for folder in params.event.added:
            if (path := _path(folder.uri)) is not None:
                ls.engine.add_root(path)
        ls.schedule()


def _pull(server: ScaffoldServer) -> None:
    options = lsp.DiagnosticOptions(
        identifier=_IDENTIFIER, inter_file_dependencies=True, workspace_diagnostics=True
    )

    @server.feature(lsp.TEXT_DOCUMENT_DIAGNOSTIC, options)
    async def document_diagnostic(
        ls: ScaffoldServer, params: lsp.DocumentDiagnosticParams
    ) -> lsp.DocumentDiagnosticReport:
        if not ls.pull:  # pushed to, and offered no pull (lsp.py): one pulling anyway gets none
            return lsp.RelatedFullDocumentDiagnosticReport(items=[])
        await ls.settled()
        result_id = str(ls.generation)
        path = _path(params.text_document.uri)
        found = ls.shown.get(path, []) if path is not None else []
        if params.previous_result_id == result_id:
            return lsp.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        return lsp.RelatedFullDocumentDiagnosticReport(items=found, result_id=result_id)

    @server.feature(lsp.WORKSPACE_DIAGNOSTIC)
    async def workspace_diagnostic(
        ls: ScaffoldServer, params: lsp.WorkspaceDiagnosticParams
    ) -> lsp.WorkspaceDiagnosticReport:
        if not ls.pull:
            return lsp.WorkspaceDiagnosticReport(items=[])
        await ls.settled()
        result_id = str(ls.generation)
        previous = {p.uri: p.value for p in params.previous_result_ids}
        items: list[lsp.WorkspaceDocumentDiagnosticReport] = []
        for path, found in sorted(ls.shown.items()):
            uri = path.as_uri()
            document = ls.workspace.text_documents.get(uri)
            version = document.version if document is not None else None
            if previous.get(uri) == result_id:
                items.append(
                    lsp.WorkspaceUnchangedDocumentDiagnosticReport(
                        uri=uri, version=version, result_id=result_id
                    )
                )
            else:
                items.append(
                    lsp.WorkspaceFullDocumentDiagnosticReport(
                        uri=uri, version=version, items=found, result_id=result_id
                    )
                )
        return lsp.WorkspaceDiagnosticReport(items=items)


def _editing(server: ScaffoldServer) -> None:
    kinds: list[lsp.CodeActionKind | str] = [lsp.CodeActionKind.QuickFix, FIX_ALL]

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(code_action_kinds=kinds))
    async def code_action(
        ls: ScaffoldServer, params: lsp.CodeActionParams
    ) -> list[lsp.CodeAction] | None:
        await ls.ready()
        uri = params.text_document.uri
        view = ls.view(uri)
        if view is None:
            return None
        only = [str(kind) for kind in params.context.only] if params.context.only else None
        found = ls.found_at(uri, params.range, params.context.diagnostics)
        actions = code_actions(view, found, ls.units, only)
        if only is not None and any(FIX_ALL.startswith(kind) for kind in only):
            path = _path(uri)
            every = ls.results.get(path, []) if path is not None else []
            actions.append(fix_all(view, every, ls.units))
        return actions

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    async def hover(ls: ScaffoldServer, params: lsp.HoverParams) -> lsp.Hover | None:
        await ls.ready()
        document = ls.workspace.get_text_document(params.text_document.uri)
        position = document.position_from_client_units(params.position)
        codes = hover_codes(document.source, position.line, position.character)
        if not codes:
            spot = lsp.Range(params.position, params.position)
            codes = [found.code for found, _ in ls.found_at(params.text_document.uri, spot)]
        docs = [text for code in dict.fromkeys(codes) if (text := rule_markdown(code))]
        if not docs:
            return None
        content = lsp.MarkupContent(lsp.MarkupKind.Markdown, "\n\n---\n\n".join(docs))
        return lsp.Hover(contents=content)
