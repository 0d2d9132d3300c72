"""The real server over stdio against a fresh `scaffold check`: after any sequence of
buffers opened, edited (incremental didChange, sent without waiting, so analyses are given
up for newer edits) and closed, the diagnostics it pushed are those of a check of the same
contents written to disk. (test_server_engine.py asks the same of the in-memory workspace,
with many more sequences.)"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types as lsp

from scaffold.check import CheckOptions, run_check
from tests.server.lsp_support import change, open_file, session, until, write_tree
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
    root: Path, edits: list[tuple[str, list[str], bool]]
) -> tuple[Shown, Shown]:
    disk = {rel: "" for rel in FILES}
    write_tree(root, disk)
    buffers: dict[str, str] = {}
    versions: dict[str, int] = {}
    async with session([root]) as client:
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
        with contextlib.suppress(AssertionError):  # reported by the caller, as the difference
            await until(client, lambda: _pushed(client, root) == expected)
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
