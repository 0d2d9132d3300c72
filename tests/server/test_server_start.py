"""The server's start before pygls loads (start.py): `initialize` answered as pygls answered
it, the first check's diagnostics sent as convert.py would send them, and the session handed
to pygls with every message it must still read, in order."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types as lsp
from pygls.protocol import default_converter

from scaffold.check.model import Diagnostic, Related, Severity
from scaffold.check.server import start as start_module
from scaffold.check.server.answers import initialize_result
from scaffold.check.server.convert import lines_of, to_lsp
from scaffold.check.server.early import Incoming, read_first_message
from scaffold.check.server.first import FirstCheck, FirstChecks
from scaffold.check.server.plain import diagnostic_json, units_of
from scaffold.check.server.start import Start, start_session
from tests.server.lsp_support import PULL, quiet, session, write_tree

ANSWER = {"capabilities": {"positionEncoding": "utf-16"}, "serverInfo": {"name": "scaffold"}}


def _message(payload: object) -> bytes:
    body = json.dumps(payload).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _request(id_: int, method: str, params: object) -> bytes:
    return _message({"jsonrpc": "2.0", "id": id_, "method": method, "params": params})


def _notification(method: str, params: object) -> bytes:
    return _message({"jsonrpc": "2.0", "method": method, "params": params})


# --- the diagnostics as sent, against convert.py's through lsprotocol ----------------------

TEXTS = st.text(alphabet=st.sampled_from("ab é€😀\t"), max_size=12)


@settings(deadline=None)  # the first example loads lsprotocol's converter
@given(
    lines=st.lists(TEXTS, min_size=1, max_size=4),
    where=st.tuples(st.integers(1, 5), st.integers(1, 30), st.integers(1, 5), st.integers(1, 30)),
    related=st.lists(st.tuples(st.integers(1, 5), st.integers(1, 30)), max_size=2),
    encoding=st.sampled_from(["utf-8", "utf-16", "utf-32"]),
    docs=st.sampled_from([None, "https://example.test/{code}"]),
    severity=st.sampled_from(list(Severity)),
)
def test_a_diagnostic_is_sent_at_the_start_as_lsprotocol_sends_it(
    lines: list[str],
    where: tuple[int, int, int, int],
    related: list[tuple[int, int]],
    encoding: str,
    docs: str | None,
    severity: Severity,
) -> None:
    text = "\n".join(lines)
    diagnostic = Diagnostic(
        "EXP001",
        "undefined-export",
        severity,
        "a message",
        "pkg/a.py",
        *where,
        fixable=True,
        related=tuple(Related("pkg/b.py", line, column, "here") for line, column in related),
    )
    units = units_of(encoding)

    def lookup(path: Path) -> list[str] | None:
        return None if text.isascii() else lines_of(text)

    base = Path("/root")
    converter = default_converter()  # type: ignore[no-untyped-call]
    expected = converter.unstructure(to_lsp(diagnostic, base, lookup, units, docs))
    assert diagnostic_json(diagnostic, base, lookup, units, docs) == expected


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_units_are_counted_as_pygls_counts_them(encoding: str) -> None:
    from pygls.workspace.position_codec import PositionCodec

    codec = PositionCodec(lsp.PositionEncodingKind(encoding))
    for text in ["", "abc", "é", "€x", "😀", "a😀é\ud800"]:
        assert units_of(encoding)(text) == codec.client_num_units(text)


# --- the session before pygls ------------------------------------------------------------------


class _Client:
    """The client's end: what it writes reaches the start's Incoming; `results` arrive (the
    first check's) once the start has read what was written, never before."""

    def __init__(self, checks: FirstChecks, results: dict[Path, FirstCheck | None]) -> None:
        self.read_end, self.write_end = os.pipe()
        self.checks, self.results = checks, results

    def incoming(self) -> Incoming:
        client = self

        class Feeding(Incoming):
            def fill(self) -> None:
                super().fill()
                for base, result in client.results.items():
                    if not client.checks.results[base].done():
                        client.checks.results[base].set_result(result)

        return Feeding(self.read_end)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    messages: list[dict[str, Any]] = []
    monkeypatch.setattr(start_module, "_send", messages.append)
    monkeypatch.setattr(start_module, "initialize_result", lambda params: ANSWER)
    yield messages


_INIT = '__all__ = ["missing"]\n'
_FOUND = Diagnostic("EXP001", "undefined-export", Severity.ERROR, "m", "pkg/__init__.py")


def _tree(tmp_path: Path) -> tuple[Path, FirstCheck]:
    (tmp_path / "pkg").mkdir(parents=True)
    init, a = tmp_path / "pkg/__init__.py", tmp_path / "pkg/a.py"
    init.write_text(_INIT, encoding="utf-8")
    a.write_text("x = 'é'\n", encoding="utf-8")
    return tmp_path, FirstCheck((_FOUND,), (), (init, a))


def _session(
    tmp_path: Path, messages: list[bytes], capabilities: dict[str, Any], checked: bool = True
) -> tuple[Start, bytes, bytes]:
    base, check = _tree(tmp_path)
    checks = FirstChecks({base: Future()}, Future())
    client = _Client(checks, {base: check if checked else None})
    params = {"rootUri": base.as_uri(), "capabilities": capabilities}
    first = _request(1, "initialize", params)
    os.write(client.write_end, b"".join(messages))
    incoming = client.incoming()
    try:
        start = start_session(incoming, first, checks)
        return start, first, incoming.rest()
    finally:
        os.close(client.write_end)
        os.close(client.read_end)


PULLS: dict[str, Any] = {
    "textDocument": {"diagnostic": {}},
    "workspace": {"diagnostics": {"refreshSupport": True}},
}


def test_pulls_before_the_results_are_answered_from_them(
    tmp_path: Path, sent: list[dict[str, Any]]
) -> None:
    init_uri = (tmp_path / "pkg/__init__.py").as_uri()
    initialized = _notification("initialized", {})
    pull = _request(2, "textDocument/diagnostic", {"textDocument": {"uri": init_uri}})
    start, first, rest = _session(tmp_path, [initialized, pull], PULLS)
    assert sent[0] == {"jsonrpc": "2.0", "id": 1, "result": ANSWER}
    assert sent[1]["id"] == 2 and sent[1]["result"]["resultId"] == "1"
    assert [d["code"] for d in sent[1]["result"]["items"]] == ["EXP001"]
    assert start.messages == [first, initialized]  # for pygls; the pull is answered
    assert start.answered == {1, 2} and rest == b""
    init, a = tmp_path / "pkg/__init__.py", tmp_path / "pkg/a.py"
    assert start.shown == {init: [_FOUND], a: []}


def test_a_client_that_does_not_pull_is_sent_every_reported_file(
    tmp_path: Path, sent: list[dict[str, Any]]
) -> None:
    start, _, _ = _session(tmp_path, [_notification("initialized", {})], {})
    published = [(m["params"]["uri"], len(m["params"]["diagnostics"])) for m in sent[1:]]
    init, a = tmp_path / "pkg/__init__.py", tmp_path / "pkg/a.py"
    assert published == [(init.as_uri(), 1), (a.as_uri(), 0)]  # as the server's _publish
    assert start.answered == {1} and start.shown is not None


def test_a_client_that_pulls_but_cannot_be_asked_again_is_sent_every_file(
    tmp_path: Path, sent: list[dict[str, Any]]
) -> None:
    # Neovim 0.11: pulls for its open buffers only, and declares no workspace refresh.
    capabilities = {"textDocument": {"diagnostic": {"dynamicRegistration": False}}}
    uri = (tmp_path / "pkg/__init__.py").as_uri()
    pull = _request(2, "textDocument/diagnostic", {"textDocument": {"uri": uri}})
    start, first, _ = _session(tmp_path, [pull], capabilities)
    published = [(m["params"]["uri"], len(m["params"]["diagnostics"])) for m in sent[1:]]
    assert published == [(uri, 1), ((tmp_path / "pkg/a.py").as_uri(), 0)]
    assert start.messages == [first, pull] and start.answered == {1}  # pygls answers it


def test_anything_else_hands_the_session_over_with_every_message_in_order(
    tmp_path: Path, sent: list[dict[str, Any]]
) -> None:
    uri = (tmp_path / "pkg/a.py").as_uri()
    initialized = _notification("initialized", {})
    pull = _request(2, "textDocument/diagnostic", {"textDocument": {"uri": uri}})
    opened = _notification("textDocument/didOpen", {"textDocument": {"uri": uri}})
    after = _request(3, "textDocument/hover", {})
    start, first, rest = _session(tmp_path, [initialized, pull, opened, after], PULLS)
    assert start.messages == [first, initialized, pull, opened]
    assert rest == after
    assert start.answered == {1} and start.shown is None
    assert len(sent) == 1  # initialize's answer alone


def test_a_file_opened_as_on_disk_is_kept_and_its_version_sent_with_its_diagnostics(
    tmp_path: Path, sent: list[dict[str, Any]]
) -> None:
    # Neovim and Helix open the file they were started on at once.
    init = tmp_path / "pkg/__init__.py"
    item = {"uri": init.as_uri(), "languageId": "python", "version": 7}
    opened = _notification("textDocument/didOpen", {"textDocument": {**item, "text": _INIT}})
    start, first, _ = _session(tmp_path, [opened], {})
    assert start.messages == [first, opened] and start.opened == {init: 7}
    versions = {m["params"]["uri"]: m["params"].get("version") for m in sent[1:]}
    assert versions == {init.as_uri(): 7, (tmp_path / "pkg/a.py").as_uri(): None}


def test_a_file_opened_unlike_the_disk_hands_the_session_over(
    tmp_path: Path, sent: list[dict[str, Any]]
) -> None:
    init = tmp_path / "pkg/__init__.py"
    item = {"uri": init.as_uri(), "languageId": "python", "version": 1, "text": "x = 1\n"}
    opened = _notification("textDocument/didOpen", {"textDocument": item})
    start, first, _ = _session(tmp_path, [opened], {})
    assert start.messages == [first, opened] and start.shown is None and len(sent) == 1


def test_a_folder_the_first_check_did_not_check_leaves_its_results_to_pygls(
    tmp_path: Path, sent: list[dict[str, Any]]
) -> None:
    pull = _request(2, "textDocument/diagnostic", {"textDocument": {"uri": "file:///x.py"}})
    start, first, _ = _session(tmp_path, [pull], PULLS, checked=False)
    assert start.messages == [first, pull] and start.answered == {1} and start.shown is None


def test_capabilities_the_start_cannot_read_leave_initialize_to_pygls(
    tmp_path: Path, sent: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(start_module, "initialize_result", initialize_result)
    odd = {"general": {"positionEncodings": "utf-8"}}  # not a list: pygls' converter decides
    start, first, rest = _session(tmp_path, [_notification("initialized", {})], odd)
    assert sent == [] and start.messages == [first] and start.answered == set()
    assert start.answer is None and start.initialize_id == 1
    assert rest == b""  # nothing read past `initialize`: pygls reads the rest


# --- initialize answered as pygls answers it -------------------------------------------------

_MAYBE_BOOL = st.sampled_from([None, True, False])
_ENCODINGS = st.lists(st.sampled_from(["utf-8", "utf-16", "utf-32", "utf-7", "x"]), max_size=3)


def _maybe(key: str, values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """`{key: value}` or `{}` (the field absent)."""
    return st.one_of(st.just({}), values.map(lambda value: {key: value}))


def _capabilities() -> st.SearchStrategy[dict[str, Any]]:
    """Client capabilities varying in what pygls' capability builder reads, and in some of
    what it does not."""
    sync = st.builds(
        lambda *parts: {k: v for part in parts for k, v in part.items()},
        _maybe("willSave", _MAYBE_BOOL),
        _maybe("willSaveWaitUntil", _MAYBE_BOOL),
        _maybe("didSave", _MAYBE_BOOL),
    )
    text_document = st.builds(
        lambda *parts: {k: v for part in parts for k, v in part.items()},
        _maybe("synchronization", st.one_of(st.none(), sync)),
        _maybe("diagnostic", st.just({})),
        _maybe("rename", st.builds(lambda b: {"prepareSupport": b}, st.booleans())),
    )
    operations = st.fixed_dictionaries(
        {}, optional={name: st.booleans() for name in ("didCreate", "willRename", "didDelete")}
    )
    workspace = st.fixed_dictionaries(
        {}, optional={"fileOperations": operations, "workspaceFolders": st.booleans()}
    )
    encodings = {"positionEncodings": st.one_of(st.none(), _ENCODINGS)}
    general = st.one_of(st.none(), st.fixed_dictionaries({}, optional=encodings))
    return st.builds(
        lambda *parts: {k: v for part in parts for k, v in part.items()},
        _maybe("general", general),
        _maybe("textDocument", st.one_of(st.none(), text_document)),
        _maybe("workspace", workspace),
        _maybe("notebookDocument", st.just({"synchronization": {}})),
    )


def _pygls_answer(params: dict[str, Any]) -> dict[str, Any]:
    """What scaffold's server answers `initialize` with `params` through pygls (in this
    process): pygls' result, as the server's protocol sends it."""
    from pygls.protocol import LanguageServerProtocol

    from scaffold.check.server.lsp import build_server

    protocol = build_server().protocol
    steps = protocol.lsp_initialize(protocol._converter.structure(params, lsp.InitializeParams))
    try:
        handler, args, _ = next(steps)  # scaffold's own initialize handler
        handler(*args)
        steps.send(None)
    except StopIteration as done:
        result = done.value
    else:
        raise AssertionError("pygls' initialize did not end")
    sent: list[Any] = []
    with mock.patch.object(
        LanguageServerProtocol, "_send_response", lambda *args, **kwargs: sent.append(args)
    ):
        protocol._send_response(1, result)
    [(_, _, sent_result, error)] = sent  # self, the request's id, result, error
    assert error is None
    answer: dict[str, Any] = protocol._converter.unstructure(sent_result)
    return answer


@settings(deadline=None, max_examples=60)  # each example builds a server
@given(capabilities=_capabilities())
def test_initialize_is_answered_as_pygls_answers_it(capabilities: dict[str, Any]) -> None:
    params = {"processId": None, "rootUri": None, "capabilities": capabilities}
    assert initialize_result(params) == _pygls_answer(params)


# --- end to end: the first start answers before pygls loads ---------------------------------


def test_a_first_start_answers_as_pygls_does_before_pygls_is_imported(tmp_path: Path) -> None:
    root, _ = _tree(tmp_path / "w")
    seen = tmp_path / "seen"
    script = textwrap.dedent(
        f"""
        import sys
        from scaffold.check.server import start
        send = start._send

        def spy(message):
            with open({str(seen)!r}, "a") as out:
                out.write(repr(("pygls" in sys.modules, sorted(message))) + "\\n")
            send(message)

        start._send = spy
        from scaffold.check.server import serve
        serve()
        """
    )
    init_uri = (root / "pkg/__init__.py").as_uri()
    params = {"rootUri": root.as_uri(), "capabilities": PULLS, "processId": None}
    before = [
        _request(1, "initialize", params),
        _notification("initialized", {}),
        _request(2, "textDocument/diagnostic", {"textDocument": {"uri": init_uri}}),
    ]
    after = [_request(3, "shutdown", None), _notification("exit", None)]
    # A store of attrs's compiled code never written before: a first start on a machine.
    store = tmp_path / "code.bin"
    server = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=(tmp_path / "log").open("wb"),
        env={**os.environ, "SCAFFOLD_SERVER_CODE_CACHE": str(store)},
    )
    assert server.stdin is not None and server.stdout is not None
    server.stdin.write(b"".join(before))
    server.stdin.flush()
    found = _answers(server.stdout, until=2)  # shutdown only once the pull is answered
    server.stdin.write(b"".join(after))
    server.stdin.close()
    found.update(_answers(server.stdout))
    assert server.wait(timeout=120) == 0
    errors = (tmp_path / "log").read_bytes()
    assert found[1] == _pygls_answer(params)
    assert b"pygls answers" not in errors  # pygls' own answer, compared by the server
    assert [d["code"] for d in found[2]["items"]] == ["EXP001"]
    # Both were sent before pygls was imported.
    assert seen.read_text().splitlines() == [repr((False, ["id", "jsonrpc", "result"]))] * 2


def _answers(stream: Any, until: object = None) -> dict[object, Any]:
    """The results of the answers read from `stream`, by request id, up to the answer to
    `until` (else to the end)."""
    found: dict[object, Any] = {}
    while message := read_first_message(stream):
        body = json.loads(message.partition(b"\r\n\r\n")[2])
        if "id" in body and "method" not in body:
            found[body["id"]] = body.get("result")
            if body["id"] == until:
                break
    return found


# --- pygls after the start: what the client holds already is not sent again -----------------


@pytest.mark.asyncio
async def test_after_the_start_sent_the_first_results_pygls_goes_on_from_them(
    tmp_path: Path,
) -> None:
    root = write_tree(
        tmp_path,
        {"pkg/__init__.py": '__all__ = ["missing"]\n', "pkg/a.py": "x = 1\n"},
    )
    init = root / "pkg/__init__.py"
    pull = lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(init.as_uri()))
    async with session([root], PULL) as client:
        first = await client.text_document_diagnostic_async(pull)
        assert isinstance(first, lsp.RelatedFullDocumentDiagnosticReport)
        assert [str(d.code) for d in first.items] == ["EXP001"] and first.result_id == "1"
        await quiet(client, init)  # the first results taken over by pygls, then replaced
        again = await client.text_document_diagnostic_async(
            lsp.DocumentDiagnosticParams(
                lsp.TextDocumentIdentifier(init.as_uri()), previous_result_id="1"
            )
        )
        assert isinstance(again, lsp.RelatedUnchangedDocumentDiagnosticReport)
        assert client.diagnostic_refresh_count == 0  # nothing changed: no pull asked for
