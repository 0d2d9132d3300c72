"""The server's first diagnostics come from a `scaffold check` of the disk run in a forked
child while the server loads: shown while they hold, and stored in `.scaffold_cache/` as the
check stores them, so a later `scaffold check` or server start reruns no rule."""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from pathlib import Path
from typing import cast

import pytest
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from scaffold.check import CheckOptions, run_check
from scaffold.check.model import Diagnostic, Severity
from scaffold.check.server.engine import Superseded, Workspace
from scaffold.check.server.first import FirstCheck
from scaffold.check.server.lsp import build_server
from scaffold.check.server.schedule import Scheduler
from tests.server.lsp_support import PULL, codes_by_file, open_file, session, until, write_tree
from tests.server.test_server_cache import counting_rules
from tests.server.test_server_schedule import _turns

TREE = {
    "pkg/__init__.py": '__all__ = ["a", "missing"]\nfrom . import a\n',
    "pkg/a.py": "from . import b\n",
    "pkg/b.py": "from . import a\n",
    "pkg/c.py": "import os\n",
}


def _marked(root: Path) -> FirstCheck:
    """First-check results no analysis could give, to see whether they are the ones shown."""
    marker = Diagnostic("TST999", "marker", Severity.ERROR, "from the first check", "pkg/c.py")
    return FirstCheck((marker,), (), (root / "pkg/c.py",))


def _workspace(root: Path, first: FirstCheck | None) -> Workspace:
    done: Future[FirstCheck | None] = Future()
    done.set_result(first)
    workspace = Workspace(CheckOptions(workers=0))
    workspace.read_ahead(root, done)
    workspace.add_root(root)
    return workspace


def _codes(found: dict[Path, list[Diagnostic]]) -> list[str]:
    return sorted(d.code for each in found.values() for d in each)


def test_the_first_results_are_the_first_checks_then_the_servers_own(tmp_path: Path) -> None:
    root = write_tree(tmp_path, TREE)
    workspace = _workspace(root, _marked(root))
    (root / "pkg/c.py").touch()
    workspace.buffers[root / "pkg/c.py"] = TREE["pkg/c.py"]  # opened, as on disk
    assert _codes(workspace.analyse()) == ["TST999"]
    assert workspace.provisional  # the server analyses again at once, for its own state
    own = workspace.analyse()
    assert not workspace.provisional
    assert "TST999" not in _codes(own)
    fresh = run_check(CheckOptions(paths=(root,), use_cache=False, workers=0))
    assert _codes(own) == sorted(d.code for d in fresh.diagnostics)


@pytest.mark.parametrize("how", ["buffer differs", "changed on disk", "no result"])
def test_the_first_checks_results_are_not_shown_once_they_may_not_hold(
    tmp_path: Path, how: str
) -> None:
    root = write_tree(tmp_path, TREE)
    workspace = _workspace(root, None if how == "no result" else _marked(root))
    if how == "buffer differs":
        workspace.buffers[root / "pkg/c.py"] = "import sys\n"
    elif how == "changed on disk":
        workspace.files_changed([root / "pkg/c.py"])
    assert "TST999" not in _codes(workspace.analyse())
    assert not workspace.provisional


def _astuples(diagnostics: Iterable[Diagnostic]) -> list[tuple[object, ...]]:
    return sorted(dataclasses.astuple(d) for d in diagnostics)


@pytest.mark.asyncio
async def test_a_server_start_stores_its_analysis_for_the_next_check_and_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "w", TREE)
    fresh = run_check(CheckOptions(paths=(root,), use_cache=False, workers=0))
    assert not (root / ".scaffold_cache").exists()
    async with session([root], PULL) as client:
        report = await client.workspace_diagnostic_async(lsp.WorkspaceDiagnosticParams([]))
        shown = sorted(
            (Path(item.uri.removeprefix("file://")).relative_to(root).as_posix(), str(d.code))
            for item in report.items
            if isinstance(item, lsp.WorkspaceFullDocumentDiagnosticReport)
            for d in item.items
        )
        assert shown == sorted((d.path, d.code) for d in fresh.diagnostics)
        # A quick fix asked for at once: the server's own state is made first.
        uri = (root / "pkg/__init__.py").as_uri()
        context = lsp.CodeActionContext(diagnostics=[])
        area = lsp.Range(lsp.Position(0, 0), lsp.Position(0, 30))
        actions = await client.text_document_code_action_async(
            lsp.CodeActionParams(lsp.TextDocumentIdentifier(uri), area, context)
        )
        assert actions
    ruled = counting_rules(monkeypatch)
    # `scaffold check` after the editor closed: the stored report, no rule run.
    again = run_check(CheckOptions(paths=(root,), workers=0))
    assert ruled == []
    assert _astuples(again.diagnostics) == _astuples(fresh.diagnostics)
    # The server started again (here in this process, so the rules can be counted): no rule
    # runs either, for its first results or for the state it then makes.
    workspace = Workspace(CheckOptions(workers=0))
    workspace.add_root(root)
    found = workspace.analyse()
    assert ruled == []
    assert _astuples([d for each in found.values() for d in each]) == _astuples(fresh.diagnostics)


@pytest.mark.asyncio
async def test_the_first_checks_columns_count_utf16_units_as_the_servers_own(
    tmp_path: Path,
) -> None:
    # The first results are shown before the server has read any file itself: their columns
    # are converted from the file on disk (an emoji: one code point, two UTF-16 units).
    line = 'mark = "\U0001f600"; __all__ = ["missing"]\n'
    root = write_tree(tmp_path / "w", {"pkg/__init__.py": line})
    at = len(line[: line.index('"missing"')].encode("utf-16-le")) // 2
    async with session([root]) as client:
        await until(client, lambda: bool(codes_by_file(client, root)))
        shown = client.diagnostics[(root / "pkg/__init__.py").as_uri()]
        assert [(str(d.code), d.range.start.character) for d in shown] == [("EXP001", at)]


_HELD_SAVES = """
import os, sys, time
from scaffold.check.incremental.store import FactsCache
from scaffold.check.server import serve

save = FactsCache.save

def held(cache):
    while not os.path.exists(sys.argv[1]):  # until the test has seen the diagnostics
        time.sleep(0.01)
    save(cache)

FactsCache.save = held
serve()
"""


@pytest.mark.asyncio
async def test_the_first_diagnostics_do_not_wait_for_the_cache_to_be_written(
    tmp_path: Path,
) -> None:
    root = write_tree(tmp_path / "w", TREE)
    go = tmp_path / "go"
    config = ClientServerConfig(server_command=[sys.executable, "-c", _HELD_SAVES, str(go)])
    client = await config.start()
    assert isinstance(client, LanguageClient)
    folder = lsp.WorkspaceFolder(uri=root.as_uri(), name="w")
    await client.initialize_session(
        lsp.InitializeParams(
            capabilities=PULL, workspace_folders=[folder], initialization_options={"debounce": 0}
        )
    )
    try:
        asked = client.workspace_diagnostic_async(lsp.WorkspaceDiagnosticParams([]))
        report = await asyncio.wait_for(asked, 60)  # never, if they waited for the save
        assert any(
            isinstance(item, lsp.WorkspaceFullDocumentDiagnosticReport) and item.items
            for item in report.items
        )
        assert not (root / ".scaffold_cache").exists()  # every save still held
        go.touch()
        # A code action waits for the server's own state, read from the stored cache.
        uri = (root / "pkg/__init__.py").as_uri()
        area = lsp.Range(lsp.Position(0, 0), lsp.Position(0, 30))
        context = lsp.CodeActionContext(diagnostics=[])
        await client.text_document_code_action_async(
            lsp.CodeActionParams(lsp.TextDocumentIdentifier(uri), area, context)
        )
        assert (root / ".scaffold_cache").is_dir()
    finally:
        go.touch()
        await client.shutdown_session()
        await client.stop()  # type: ignore[no-untyped-call]


def _report_stored(root: Path) -> bool:
    """Whether the cache holds the report `scaffold check` would give the disk as it is
    now (read only: nothing is written)."""
    from scaffold.check.discover import discover
    from scaffold.check.incremental.run import _inputs
    from scaffold.check.incremental.store import FactsCache

    tree = discover(root)
    cache = FactsCache.open(tree)
    return cache.report(cache.report_key(tree, _inputs(CheckOptions()))) is not None


@pytest.mark.asyncio
async def test_a_saved_file_is_stored_for_the_next_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "w", TREE)
    target = root / "pkg/c.py"
    async with session([root]) as client:
        await until(client, lambda: bool(codes_by_file(client, root)))
        open_file(client, target)
        saved = "from . import nowhere\n"
        target.write_text(saved, encoding="utf-8")  # the editor writes, then says so
        client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                lsp.VersionedTextDocumentIdentifier(uri=target.as_uri(), version=2),
                [lsp.TextDocumentContentChangeWholeDocument(text=saved)],
            )
        )
        client.text_document_did_save(
            lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(target.as_uri()))
        )
        await until(client, lambda: "pkg/c.py" in codes_by_file(client, root))
        for _ in range(600):  # the cache is written by a process of its own; bounded
            if _report_stored(root):
                break
            await asyncio.sleep(0.05)
        assert _report_stored(root)
    ruled = counting_rules(monkeypatch)
    again = run_check(CheckOptions(paths=(root,), workers=0))
    assert ruled == []
    fresh = run_check(CheckOptions(paths=(root,), use_cache=False, workers=0))
    assert _astuples(again.diagnostics) == _astuples(fresh.diagnostics)


class _Engine:
    """A workspace whose every analysis finds `results`, the first as if from the first
    check (provisional: the server analyses again at once for its own state)."""

    def __init__(self, results: dict[Path, list[Diagnostic]]) -> None:
        self.results = results
        self.provisional = False
        self.analyses = 0
        self.buffers: dict[Path, str] = {}
        self.base_of: dict[Path, Path] = {}
        self.notes: tuple[str, ...] = ()

    def analyse(self, stop: Callable[[], bool]) -> dict[Path, list[Diagnostic]]:
        self.provisional = self.analyses == 0
        self.analyses += 1
        if stop():
            raise Superseded
        return dict(self.results)


Found = dict[Path, list[Diagnostic]]


@pytest.mark.asyncio
async def test_a_save_while_the_first_results_are_replaced_is_stored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The server's own analysis after the first check's results is given up for a save; the
    # save's analysis finds the same results. It is still shown as any analysis (it was not
    # the refresh), so the save is stored: a flag of the refresh outlived it and hid it.
    engine = _Engine({Path("/w/pkg/c.py"): []})
    server = build_server(cast(Workspace, engine))
    runs: list[asyncio.Event] = []

    async def run(work: Callable[[], Found]) -> Found:  # each analysis when the test says
        released = asyncio.Event()
        runs.append(released)
        await released.wait()
        return work()

    async def release(index: int) -> None:
        runs[index].set()
        await _turns()

    server.scheduler = Scheduler(
        engine.analyse, server.show, server.report_failure, pause=_no_pause, run=run
    )
    published: list[int] = []
    stored: list[int] = []
    monkeypatch.setattr(server, "_publish", lambda: published.append(server.generation))
    monkeypatch.setattr(server, "_store", lambda: stored.append(server.generation))
    server.schedule(delay=0)  # initialized
    await _turns()
    await release(0)
    assert published == [1] and len(runs) == 2  # the first check's shown, the refresh runs
    server.store_wanted = True  # didSave
    server.schedule()
    await release(1)  # the refresh, given up
    await release(2)
    assert engine.analyses == 3
    assert stored == [2]


async def _no_pause(seconds: float) -> None:
    await asyncio.sleep(0)
