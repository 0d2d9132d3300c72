"""The server over stdio: code actions applied and the text checked, hover docs, UTF-16
positions, cancellation and a clean shutdown."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInternalError, JsonRpcRequestCancelled
from pytest_lsp import LanguageClient

from tests.server.lsp_support import (
    PULL,
    PUSH,
    codes_by_file,
    open_file,
    session,
    until,
    write_tree,
)

pytestmark = pytest.mark.asyncio

FIXABLE = {
    "pyproject.toml": '[project]\nname = "demo"\n',
    "pkg/__init__.py": ('from .core import run, stop\n\n__all__ = ["run", "run"]  # a repeat\n'),
    "pkg/core.py": "def run() -> None:\n    pass\n\n\ndef stop() -> None:\n    pass\n",
}


def _apply(text: str, edits: list[lsp.TextEdit]) -> str:
    """Apply LSP edits (ASCII text: columns are characters) from the last to the first."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character))
    for edit in reversed(ordered):
        start = offsets[edit.range.start.line] + edit.range.start.character
        end = offsets[edit.range.end.line] + edit.range.end.character
        text = text[:start] + edit.new_text + text[end:]
    return text


async def _actions(
    client: LanguageClient, path: Path, line: int, only: list[str] | None = None
) -> list[lsp.CodeAction]:
    shown = client.diagnostics.get(path.as_uri(), [])
    result = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            lsp.TextDocumentIdentifier(path.as_uri()),
            lsp.Range(lsp.Position(line, 0), lsp.Position(line, 0)),
            lsp.CodeActionContext(diagnostics=list(shown), only=only),
        )
    )
    return [a for a in result or [] if isinstance(a, lsp.CodeAction)]


def _edits(action: lsp.CodeAction, path: Path) -> list[lsp.TextEdit]:
    assert action.edit is not None and action.edit.changes is not None
    return list(action.edit.changes[path.as_uri()])


async def test_quick_fixes_safe_unsafe_and_noqa(tmp_path: Path) -> None:
    root = write_tree(tmp_path, FIXABLE)
    init = root / "pkg/__init__.py"
    text = init.read_text()
    async with session(
        [root], PUSH, {"ruleDocsUrl": "https://example.test/rules#{code}"}
    ) as client:
        await until(client, lambda: "pkg/__init__.py" in codes_by_file(client, root))
        assert codes_by_file(client, root)["pkg/__init__.py"] == [("EXP003", 2), ("EXP006", 0)]
        shown = {str(d.code): d for d in client.diagnostics[init.as_uri()]}
        assert shown["EXP003"].code_description == lsp.CodeDescription(
            href="https://example.test/rules#EXP003"
        )
        open_file(client, init)
        by_title = {a.title: a for a in await _actions(client, init, 2)}
        safe = next(a for t, a in by_title.items() if t.startswith("Fix EXP003"))
        assert safe.is_preferred and safe.kind == lsp.CodeActionKind.QuickFix
        assert _apply(text, _edits(safe, init)) == text.replace('"run", "run"', '"run"')
        assert set(by_title) == {
            "Fix EXP003 (duplicate-export)",
            "Add `# noqa: EXP003` to this line",
            "Fix EXP006 (implicit-reexport): unsafe, changes behaviour",
            "Add `# noqa: EXP006` to this line",
        }  # the client named both diagnostics as being under the cursor
        noqa = by_title["Add `# noqa: EXP003` to this line"]
        assert _apply(text, _edits(noqa, init)).splitlines()[2] == (
            '__all__ = ["run", "run"]  # a repeat  # noqa: EXP003'
        )
        (unsafe_action,) = [
            a for a in await _actions(client, init, 0) if a.title.startswith("Fix EXP006")
        ]
        assert unsafe_action.title == "Fix EXP006 (implicit-reexport): unsafe, changes behaviour"
        assert "unsafe" in unsafe_action.title and not unsafe_action.is_preferred
        assert '"stop"' in _apply(text, _edits(unsafe_action, init))


async def test_fix_all_is_a_source_action_with_only_the_safe_fixes(tmp_path: Path) -> None:
    root = write_tree(tmp_path, FIXABLE)
    init = root / "pkg/__init__.py"
    text = init.read_text()
    async with session([root]) as client:
        await until(client, lambda: "pkg/__init__.py" in codes_by_file(client, root))
        (action,) = await _actions(client, init, 0, ["source.fixAll"])
        assert action.kind == "source.fixAll.scaffold"
        after = _apply(text, _edits(action, init))
        assert after == text.replace('"run", "run"', '"run"')  # EXP006's unsafe fix is not in


async def test_hover_on_a_noqa_code_and_on_a_diagnostic(tmp_path: Path) -> None:
    files = dict(FIXABLE)
    files["pkg/__init__.py"] = (
        'from .core import run, stop  # noqa: EXP006\n\n__all__ = ["run", "run"]\n'
    )
    root = write_tree(tmp_path, files)
    init = root / "pkg/__init__.py"
    async with session([root]) as client:
        await until(client, lambda: "pkg/__init__.py" in codes_by_file(client, root))
        open_file(client, init)
        on_code = await client.text_document_hover_async(
            lsp.HoverParams(lsp.TextDocumentIdentifier(init.as_uri()), lsp.Position(0, 40))
        )
        assert on_code is not None and isinstance(on_code.contents, lsp.MarkupContent)
        assert on_code.contents.value.startswith("**EXP006** `implicit-reexport`")
        on_finding = await client.text_document_hover_async(
            lsp.HoverParams(lsp.TextDocumentIdentifier(init.as_uri()), lsp.Position(2, 19))
        )
        assert on_finding is not None and isinstance(on_finding.contents, lsp.MarkupContent)
        assert "**EXP003** `duplicate-export`" in on_finding.contents.value
        nothing = await client.text_document_hover_async(
            lsp.HoverParams(lsp.TextDocumentIdentifier(init.as_uri()), lsp.Position(1, 0))
        )
        assert nothing is None


async def test_columns_are_utf16_code_units(tmp_path: Path) -> None:
    line = 'mark = "😀 é"; __all__ = ["missing"]'
    root = write_tree(tmp_path, {"mod.py": line + "\n"})
    async with session([root]) as client:
        await until(client, lambda: "mod.py" in codes_by_file(client, root))
        (found,) = client.diagnostics[(root / "mod.py").as_uri()]
        prefix = line[: line.index('"missing"')]
        start = len(prefix.encode("utf-16-le")) // 2
        assert found.code == "EXP001"
        assert (found.range.start.character, found.range.end.character) == (start, start + 9)
        # The emoji is one code point, two UTF-16 units and four UTF-8 bytes.
        assert start == len(prefix) + 1 == len(prefix.encode()) - 3


async def test_a_cancelled_request_is_answered_as_cancelled(tmp_path: Path) -> None:
    root = write_tree(tmp_path, FIXABLE)
    init = root / "pkg/__init__.py"
    # A long pause before each analysis: the request below waits for one that has not run
    # (a pull: a client that pulls is answered from the analysis, one pushed to at once).
    async with session([root], PULL, {"debounce": 600}) as client:
        # Unlike the disk, so that no start (start.py) answers the pull from its first check.
        open_file(client, init, init.read_text(encoding="utf-8") + "# edited\n")
        # The plain (not async) send: the request is written before the cancel.
        request = client.protocol.send_request(
            lsp.TEXT_DOCUMENT_DIAGNOSTIC,
            lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(init.as_uri())),
            msg_id="pending-pull",
        )
        client.protocol.notify(lsp.CANCEL_REQUEST, lsp.CancelParams(id="pending-pull"))
        with pytest.raises(JsonRpcRequestCancelled):
            await asyncio.wait_for(asyncio.wrap_future(request), 20)


async def test_shutdown_and_exit_are_clean(tmp_path: Path) -> None:
    root = write_tree(tmp_path, FIXABLE)
    async with session([root], PUSH, {"debounce": 600}) as client:
        open_file(client, root / "pkg/__init__.py")  # an analysis still pending at shutdown
        server = client._server
    assert server is not None and server.returncode == 0


async def test_a_failing_request_is_an_lsp_error_and_the_server_stays_up(tmp_path: Path) -> None:
    root = write_tree(tmp_path, FIXABLE)
    async with session([root]) as client:
        await until(client, lambda: "pkg/__init__.py" in codes_by_file(client, root))
        # A document that neither is open nor exists: reading it fails inside the request.
        missing = lsp.TextDocumentIdentifier((root / "gone.py").as_uri())
        with pytest.raises(JsonRpcInternalError):
            await client.text_document_hover_async(lsp.HoverParams(missing, lsp.Position(0, 0)))
        init = lsp.TextDocumentIdentifier((root / "pkg/__init__.py").as_uri())
        hover = await client.text_document_hover_async(lsp.HoverParams(init, lsp.Position(2, 20)))
        assert hover is not None
