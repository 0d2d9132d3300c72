"""The server's configuration is the pyproject.toml on disk, as ruff's and pyright's servers
read theirs: a buffer's unsaved edits do not count, a save does (even for a client that
reports no changes on disk), and a saved file that does not validate is shown once while the
last results stand."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from tests.server.lsp_support import PULL, session, write_tree

pytestmark = pytest.mark.asyncio

TREE = {
    "pyproject.toml": '[project]\nname = "demo"\n',
    "pkg/__init__.py": '__all__ = ["missing"]\n',
}
IGNORING = '[project]\nname = "demo"\n\n[tool.scaffold.check]\nignore = ["EXP001"]\n'


async def _codes(client: LanguageClient, path: Path) -> list[str]:
    report = await client.text_document_diagnostic_async(
        lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(path.as_uri()))
    )
    assert isinstance(report, lsp.RelatedFullDocumentDiagnosticReport)
    return [str(d.code) for d in report.items]


def _saved(client: LanguageClient, path: Path) -> None:
    client.text_document_did_save(
        lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(path.as_uri()))
    )


async def test_a_pyproject_counts_when_saved_not_while_edited(tmp_path: Path) -> None:
    root = write_tree(tmp_path, TREE)
    pyproject, init = root / "pyproject.toml", root / "pkg/__init__.py"
    # PULL declares no didChangeWatchedFiles: the save alone must reload the configuration.
    async with session([root], PULL) as client:
        assert await _codes(client, init) == ["EXP001"]
        client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                lsp.TextDocumentItem(pyproject.as_uri(), "toml", 1, TREE["pyproject.toml"])
            )
        )
        client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                lsp.VersionedTextDocumentIdentifier(uri=pyproject.as_uri(), version=2),
                [lsp.TextDocumentContentChangeWholeDocument(text=IGNORING)],
            )
        )
        assert await _codes(client, init) == ["EXP001"]  # unsaved: not applied
        pyproject.write_text(IGNORING, encoding="utf-8")
        _saved(client, pyproject)
        assert await _codes(client, init) == []


async def test_a_saved_pyproject_that_does_not_validate_is_shown_once(tmp_path: Path) -> None:
    root = write_tree(tmp_path, TREE)
    pyproject, init = root / "pyproject.toml", root / "pkg/__init__.py"
    async with session([root], PULL) as client:
        assert await _codes(client, init) == ["EXP001"]
        pyproject.write_text("[tool.scaffold.check]\nselect = 3\n", encoding="utf-8")
        _saved(client, pyproject)
        await asyncio.wait_for(client.wait_for_notification(lsp.WINDOW_SHOW_MESSAGE), 20)
        _saved(client, pyproject)  # still invalid: not shown again
        assert await _codes(client, init) == ["EXP001"]  # the last results stand
        assert [m.message for m in client.messages] == [
            f"scaffold: {pyproject}: [tool.scaffold.check] select must be a list of strings"
        ]
        assert client.messages[0].type == lsp.MessageType.Error
        pyproject.write_text(IGNORING, encoding="utf-8")
        _saved(client, pyproject)
        assert await _codes(client, init) == []
