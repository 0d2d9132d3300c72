"""The server's configuration is the pyproject.toml on disk, as ruff's and pyright's servers
read theirs: a buffer's unsaved edits do not count, a save does (even for a client that
reports no changes on disk), and a saved file that does not validate is shown once while the
last results stand."""

from __future__ import annotations

import asyncio
import subprocess
import sys
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


LIMITED = '[project]\nname = "demo"\n\n[tool.scaffold.check]\nmax-file-size = 100\n'


async def test_an_open_buffer_larger_than_max_file_size_is_skipped_as_check_skips_it(
    tmp_path: Path,
) -> None:
    # The file is small on disk; the buffer grows past max-file-size: it is not parsed (no
    # EXP001 from it), and the note `scaffold check` prints of it is logged, once.
    root = write_tree(tmp_path, {**TREE, "pyproject.toml": LIMITED, "pkg/big.py": "x = 1\n"})
    big = root / "pkg/big.py"
    grown = '__all__ = ["gone"]\n' + "".join(f"# line {i}\n" for i in range(20))
    async with session([root], PULL) as client:
        assert await _codes(client, big) == []
        client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(big.as_uri(), "python", 1, grown))
        )
        assert await _codes(client, big) == []
        client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                lsp.VersionedTextDocumentIdentifier(uri=big.as_uri(), version=2),
                [lsp.TextDocumentContentChangeWholeDocument(text=grown + "# more\n")],
            )
        )
        assert await _codes(client, big) == []
        notes = [m.message for m in client.log_messages if "max-file-size" in m.message]
        big.write_text(grown, encoding="utf-8")
        checked = subprocess.run(
            [sys.executable, "-m", "scaffold", "check", "--no-cache", "."],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
    assert "big.py" not in checked.stdout
    assert [
        f"scaffold: {line}" for line in checked.stderr.splitlines() if "max-file" in line
    ] == notes
    assert len(notes) == 1
