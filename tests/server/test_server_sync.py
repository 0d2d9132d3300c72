"""The server over stdio: diagnostics of every file from buffers and disk, updated across
files as one is edited, in both directions, push and pull."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types as lsp

from tests.server.lsp_support import (
    PULL,
    change,
    codes_by_file,
    open_file,
    quiet,
    session,
    until,
    write_tree,
)

pytestmark = pytest.mark.asyncio

PACKAGE = {
    "pyproject.toml": '[project]\nname = "demo"\n\n[tool.scaffold.check]\nignore = ["IMP001"]\n',
    "pkg/__init__.py": 'from .a import *\n\n__all__ = ["f", "g"]\n',
    "pkg/a.py": "def f() -> None:\n    pass\n",
    "pkg/b.py": "from .a import f\n\n\ndef h() -> None:\n    f()\n",
}


async def test_an_edit_in_one_file_updates_the_findings_of_others(tmp_path: Path) -> None:
    root = write_tree(tmp_path, PACKAGE)
    a = root / "pkg/a.py"
    async with session([root]) as client:
        await until(
            client, lambda: codes_by_file(client, root) == {"pkg/__init__.py": [("EXP001", 2)]}
        )
        (shown,) = client.diagnostics[(root / "pkg/__init__.py").as_uri()]
        # From a checkout, the rule's page is docs/rules/CODE.md (ruleDocsUrl names another).
        assert shown.code_description is not None
        assert shown.code_description.href.endswith("/docs/rules/EXP001.md")
        open_file(client, a)
        # `g` defined in the submodule: the package's EXP001 goes.
        change(client, a, 2, (2, 0), (2, 0), "\n\ndef g() -> None:\n    pass\n")
        await until(client, lambda: codes_by_file(client, root) == {})
        # a.py now imports b, which imports f from a before a binds it: IMP003 at b.py.
        change(client, a, 3, (0, 0), (0, 0), "from .b import h\n")
        await until(client, lambda: "pkg/b.py" in codes_by_file(client, root))
        assert ("IMP003", 0) in codes_by_file(client, root)["pkg/b.py"]
        # Closing the buffer goes back to the disk's text: EXP001 again, no cycle.
        client.text_document_did_close(
            lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(a.as_uri()))
        )
        await until(
            client, lambda: codes_by_file(client, root) == {"pkg/__init__.py": [("EXP001", 2)]}
        )


async def test_a_syntax_error_keeps_the_files_last_good_facts_for_the_others(
    tmp_path: Path,
) -> None:
    files = dict(PACKAGE)
    files["pkg/a.py"] = "from .b import h\n\n\ndef f() -> None:\n    pass\n"
    root = write_tree(tmp_path, files)
    a = root / "pkg/a.py"
    async with session([root]) as client:
        await until(
            client, lambda: ("IMP003", 0) in codes_by_file(client, root).get("pkg/b.py", [])
        )
        open_file(client, a)
        # Half-typed: a.py does not parse. It reports SYN001; b.py's finding, which depends on
        # what a.py binds, stays as it was.
        change(client, a, 2, (5, 0), (5, 0), "def g(:\n")
        await until(client, lambda: ("SYN001", 5) in codes_by_file(client, root)["pkg/a.py"])
        await quiet(client, a)  # b.py's and __init__.py's last word, not the state before it
        found = codes_by_file(client, root)
        assert found["pkg/a.py"] == [("SYN001", 5)]
        assert ("IMP003", 0) in found["pkg/b.py"]
        assert ("EXP001", 2) in found["pkg/__init__.py"]


async def test_files_deleted_created_and_config_changed_on_disk(tmp_path: Path) -> None:
    root = write_tree(tmp_path, PACKAGE)
    async with session([root]) as client:
        await until(
            client, lambda: codes_by_file(client, root) == {"pkg/__init__.py": [("EXP001", 2)]}
        )
        # The first diagnostics may come before pygls has read `initialized` (start.py).
        await quiet(client, root / "pkg/__init__.py")
        assert [r.method for r in client.registrations] == [  # type: ignore[attr-defined]
            lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES
        ]
        # Deleted outside the editor: b.py's import of a.f... a.py goes, and with it f.
        (root / "pkg/a.py").unlink()
        _watched(client, root / "pkg/a.py", lsp.FileChangeType.Deleted)
        await until(client, lambda: "pkg/b.py" in codes_by_file(client, root))
        assert codes_by_file(client, root)["pkg/b.py"] == [("IMP006", 0)]
        # Created again, defining g too: everything is clean.
        (root / "pkg/a.py").write_text("def f() -> None:\n    pass\n\n\ng = f\n")
        _watched(client, root / "pkg/a.py", lsp.FileChangeType.Created)
        await until(client, lambda: codes_by_file(client, root) == {})
        # The configuration changes: IMP001 is no longer ignored.
        (root / "pyproject.toml").write_text('[project]\nname = "demo"\n')
        _watched(client, root / "pyproject.toml", lsp.FileChangeType.Changed)
        await until(
            client, lambda: codes_by_file(client, root) == {"pkg/__init__.py": [("IMP001", 0)]}
        )


async def test_a_line_added_to_gits_exclude_file_hides_what_it_names(tmp_path: Path) -> None:
    root = write_tree(tmp_path, PACKAGE)
    exclude = root / ".git" / "info" / "exclude"
    exclude.parent.mkdir(parents=True)
    exclude.write_text("")
    async with session([root]) as client:
        await until(
            client, lambda: codes_by_file(client, root) == {"pkg/__init__.py": [("EXP001", 2)]}
        )
        await quiet(client, root / "pkg/__init__.py")
        (registration,) = client.registrations  # type: ignore[attr-defined]
        globs = [w["globPattern"] for w in registration.register_options["watchers"]]
        assert "**/.git/info/exclude" in globs
        exclude.write_text("pkg/__init__.py\n")
        _watched(client, exclude, lsp.FileChangeType.Changed)
        await until(client, lambda: codes_by_file(client, root) == {})


def _watched(client: object, path: Path, kind: lsp.FileChangeType) -> None:
    client.workspace_did_change_watched_files(  # type: ignore[attr-defined]
        lsp.DidChangeWatchedFilesParams([lsp.FileEvent(path.as_uri(), kind)])
    )


async def test_several_workspace_folders(tmp_path: Path) -> None:
    one = write_tree(tmp_path / "one", PACKAGE)
    two = write_tree(tmp_path / "two", {"tool.py": "x = 1\n", "pkg/__init__.py": ""})
    (two / "pkg/draw.py").write_text("def f() -> None:\n    pass\n")
    (two / "pkg/game.py").write_text("from draw import f\n")
    async with session([one, two]) as client:
        await until(client, lambda: "pkg/game.py" in codes_by_file(client, two))
        await quiet(client, two / "tool.py")
        assert codes_by_file(client, two) == {"pkg/game.py": [("IMP004", 0)]}
        assert codes_by_file(client, one) == {"pkg/__init__.py": [("EXP001", 2)]}


async def test_a_workspace_folder_added_and_removed_while_running(tmp_path: Path) -> None:
    one = write_tree(tmp_path / "one", PACKAGE)
    two = write_tree(tmp_path / "two", {"pkg/__init__.py": '__all__ = ["gone"]\n'})
    async with session([one]) as client:
        await until(client, lambda: "pkg/__init__.py" in codes_by_file(client, one))
        assert codes_by_file(client, two) == {}
        folder = lsp.WorkspaceFolder(uri=two.as_uri(), name="two")
        client.workspace_did_change_workspace_folders(
            lsp.DidChangeWorkspaceFoldersParams(lsp.WorkspaceFoldersChangeEvent([folder], []))
        )
        await until(
            client, lambda: codes_by_file(client, two) == {"pkg/__init__.py": [("EXP001", 0)]}
        )
        client.workspace_did_change_workspace_folders(
            lsp.DidChangeWorkspaceFoldersParams(lsp.WorkspaceFoldersChangeEvent([], [folder]))
        )
        # Its files are no longer reported on: their diagnostics are cleared.
        await until(client, lambda: codes_by_file(client, two) == {})
        await quiet(client, one / "pkg/a.py")
        assert codes_by_file(client, one) == {"pkg/__init__.py": [("EXP001", 2)]}


async def test_a_cycle_carries_its_imports_as_related_locations(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path, {"pkg/__init__.py": "", "pkg/a.py": "from . import b\n", "pkg/b.py": ""}
    )
    b = root / "pkg/b.py"
    async with session([root]) as client:
        await until(client, lambda: codes_by_file(client, root) == {})
        open_file(client, b, "\n\nfrom . import a\n")  # the cycle closes in the buffer
        await until(client, lambda: "pkg/a.py" in codes_by_file(client, root))
        (cycle,) = client.diagnostics[(root / "pkg/a.py").as_uri()]
        assert cycle.code == "IMP002"
        related = [
            (r.location.uri, r.location.range.start.line, r.message)
            for r in cycle.related_information or []
        ]
        assert (b.as_uri(), 2, "'pkg.b' imports 'pkg.a'") in related


async def test_pull_diagnostics_for_a_document_and_the_workspace(tmp_path: Path) -> None:
    root = write_tree(tmp_path, PACKAGE)
    init = root / "pkg/__init__.py"
    async with session([root], PULL) as client:
        report = await client.text_document_diagnostic_async(
            lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(init.as_uri()))
        )
        assert isinstance(report, lsp.RelatedFullDocumentDiagnosticReport)
        assert [(d.code, d.range.start.line) for d in report.items] == [("EXP001", 2)]
        again = await client.text_document_diagnostic_async(
            lsp.DocumentDiagnosticParams(
                lsp.TextDocumentIdentifier(init.as_uri()), previous_result_id=report.result_id
            )
        )
        assert again.kind == "unchanged"
        open_file(client, root / "pkg/a.py")
        change(client, root / "pkg/a.py", 2, (0, 0), (0, 0), "g = 1\n")
        whole = await client.workspace_diagnostic_async(lsp.WorkspaceDiagnosticParams([]))
        by_uri = {item.uri: item for item in whole.items}
        assert set(by_uri) == {
            (root / rel).as_uri()
            for rel in ("pyproject.toml", "pkg/__init__.py", "pkg/a.py", "pkg/b.py")
        }
        assert {uri: item.items for uri, item in by_uri.items() if item.items} == {}  # type: ignore[union-attr]
        assert by_uri[(root / "pkg/a.py").as_uri()].version == 2
        assert client.diagnostics == {}  # a client that pulls gets nothing pushed
        assert client.diagnostic_refresh_count >= 1


async def test_a_change_below_a_form_feed_line_lands_where_the_editor_made_it(
    tmp_path: Path,
) -> None:
    # A form feed alone on a line is one line to the editor, the LSP and Python, two to
    # str.splitlines: the change must replace "b" on line 2, not text on line 3.
    root = write_tree(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "demo"\n',
            "pkg/__init__.py": '"""Doc."""\n\x0c\n__all__ = ["a", "b"]\na = 1\n',
        },
    )
    init = root / "pkg/__init__.py"
    async with session([root]) as client:
        await until(
            client, lambda: codes_by_file(client, root).get("pkg/__init__.py") == [("EXP001", 2)]
        )
        open_file(client, init)
        change(client, init, 2, (2, 16), (2, 19), '"a"')
        await until(
            client, lambda: codes_by_file(client, root).get("pkg/__init__.py") == [("EXP003", 2)]
        )
