"""The real server over stdio against a fresh `scaffold check`: after any sequence of
buffers opened, edited (incremental didChange, sent without waiting, so analyses are given
up for newer edits) and closed, the diagnostics it pushed are those of a check of the same
contents written to disk. (test_server_engine.py asks the same of the in-memory workspace,
with many more sequences.)"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types as lsp

from scaffold.check import CheckOptions, run_check
from tests.server.lsp_support import change, open_file, quiet, session, write_tree
from tests.server.test_server_engine import FILES, LINES

Shown = list[tuple[str, str, int, int, str]]

# Few files and several steps, so most sequences edit an open buffer again; a close now and
# then (the disk's empty text comes back).
EDITS = st.lists(
    st.tuples(
        st.sampled_from(FILES[:3]),
        st.lists(LINES, max_size=5),
        st.sampled_from([False, False, False, True]),
    ),
    min_size=3,
    max_size=8,
)


def _fresh(contents: dict[str, str]) -> Shown:
    """`scaffold check` of `contents` written to a new folder, as 0-based positions (every
    line here is ASCII, so a column is the same in bytes and in UTF-16 units)."""
    folder = write_tree(Path(tempfile.mkdtemp()), contents)
    try:
        report = run_check(CheckOptions(paths=(folder,), use_cache=False, workers=0))
        return sorted(
            (d.path, d.code, d.line - 1, d.column - 1, d.message) for d in report.diagnostics
        )
    finally:
        shutil.rmtree(folder)


def _pushed(client: object, root: Path) -> Shown:
    shown: Shown = []
    for uri, diagnostics in client.diagnostics.items():  # type: ignore[attr-defined]
        rel = Path(uri.removeprefix("file://")).relative_to(root).as_posix()
        for d in diagnostics:
            start = d.range.start
            shown.append((rel, str(d.code), start.line, start.character, d.message))
    return sorted(shown)


async def _served_and_expected(
    root: Path,
    edits: list[tuple[str, list[str], bool]],
    command: Sequence[str] = (sys.executable, "-m", "scaffold", "server"),
) -> tuple[Shown, Shown]:
    """What the server shows once it has analysed every edit, and what a check finds."""
    disk = {rel: "" for rel in FILES}
    write_tree(root, disk)
    buffers: dict[str, str] = {}
    versions: dict[str, int] = {}
    async with session([root], command=command) as client:
        for rel, lines, close in edits:
            path = root / rel
            if close:
                if buffers.pop(rel, None) is not None:
                    client.text_document_did_close(
                        lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(path.as_uri()))
                    )
                continue
            text = "\n".join(lines) + "\n"
            if rel not in buffers:
                versions[rel] = 1
                open_file(client, path, text)
            else:
                versions[rel] += 1
                end = (buffers[rel].count("\n"), 0)  # the old text ends with a line break
                change(client, path, versions[rel], (0, 0), end, text)
            buffers[rel] = text
        expected = _fresh({rel: buffers.get(rel, disk[rel]) for rel in FILES})
        # Not "until the pushed state equals `expected`": a state passed through on the way
        # can equal it (one analysis's files arrive one by one), and so can the state before
        # the server read the edits; the last one shown is what the property is about.
        await quiet(client, root / FILES[0])
        return _pushed(client, root), expected


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=EDITS)
def test_the_servers_diagnostics_after_any_edits_are_a_fresh_checks(
    edits: list[tuple[str, list[str], bool]],
) -> None:
    root = Path(tempfile.mkdtemp())
    try:
        served, expected = asyncio.run(_served_and_expected(root, edits))
        assert served == expected
    finally:
        shutil.rmtree(root)


_SHOWS_A_MARKER_LAST = """
import sys
from pathlib import Path
from scaffold.check.model import Diagnostic, Severity
from scaffold.check.server import lsp, serve

ready = lsp.ScaffoldServer.ready

async def marked(self):
    await ready(self)
    marker = Diagnostic("TST999", "marker", Severity.ERROR, "shown last", "pkg/b.py")
    self.show({Path(sys.argv[1]) / "pkg/b.py": [marker]})

lsp.ScaffoldServer.ready = marked
serve()
"""


def test_the_property_sees_what_the_server_shows_last(tmp_path: Path) -> None:
    # A server that, once it has analysed everything, shows results no analysis gives. The
    # property must see them: waiting only until the pushed state equals a fresh check's
    # returned as soon as the server showed its (right) results on the way, and a server
    # that then showed stale diagnostics passed.
    command = (sys.executable, "-c", _SHOWS_A_MARKER_LAST, str(tmp_path))
    edits = [("pkg/a.py", ["from .b import g"], False)]
    served, expected = asyncio.run(_served_and_expected(tmp_path, edits, command))
    assert ("pkg/a.py", "IMP006", 0, 15, "cannot import name 'g' from 'pkg.b'") in expected
    assert served == [("pkg/b.py", "TST999", 0, 0, "shown last")]
