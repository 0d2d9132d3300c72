"""What Helix declares, through pytest-lsp: no Helix build could be had to run here (see
docs/editors.md, "What was tried"), so its diagnostic capabilities, as its source sends
them, stand in for it."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from tests.server.lsp_support import assert_pushed_every_file, write_tree
from tests.server.test_server_neovim import _PROJECT

# Helix's builds that pull (textDocument/diagnostic) for open documents name the workspace
# refresh `workspace.diagnostic` (its LSP types crate misses the spec's `diagnostics`), so to
# the server it declares no refresh; 25.07 and earlier declare no pull at all.
_HELIX_PULLING = {
    "textDocument": {
        "diagnostic": {"dynamicRegistration": False, "relatedDocumentSupport": True},
        "publishDiagnostics": {"versionSupport": True},
    },
    "workspace": {"diagnostic": {"refreshSupport": True}, "workspaceFolders": True},
    "general": {"positionEncodings": ["utf-8", "utf-32", "utf-16"]},
}
_HELIX_PUSHED = {"textDocument": {"publishDiagnostics": {"versionSupport": True}}}


@pytest.mark.asyncio
@pytest.mark.parametrize("declared", [_HELIX_PULLING, _HELIX_PUSHED], ids=["pulls", "pushed"])
async def test_helix_is_pushed_every_file_and_offered_no_pull(
    tmp_path: Path, declared: dict[str, object]
) -> None:
    root = write_tree(tmp_path / "proj", _PROJECT)

    def params(client: LanguageClient) -> lsp.InitializeParams:
        structured = client.protocol._converter.structure(
            {"capabilities": declared, "rootUri": root.as_uri()}, lsp.InitializeParams
        )
        structured.workspace_folders = [lsp.WorkspaceFolder(uri=root.as_uri(), name=root.name)]
        return structured

    await assert_pushed_every_file(root, params)
