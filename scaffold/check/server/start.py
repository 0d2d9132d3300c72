"""The server's start before pygls loads: `initialize` answered as pygls answers it
(answers.py), and the first check's diagnostics sent as they arrive, pushed or
pulled, so that importing pygls and lsprotocol (~0.3 s of CPU) follows the first diagnostics
instead of preceding them. Anything else the client sends hands the session to pygls, which
reads every message kept here as if it came first (its answers to the ones answered here
are dropped)."""

from __future__ import annotations

import json
import os
import select
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffold.check.model import Diagnostic
from scaffold.check.server.answers import initialize_result, pulls_diagnostics
from scaffold.check.server.early import Incoming, body_of, file_path, read_first_message
from scaffold.check.server.first import FirstCheck, FirstChecks, add_found, prepare_decoding
from scaffold.check.server.plain import default_docs_url, diagnostic_json, lines_of, units_of
from scaffold.files import read_regular

__all__ = ["Start", "start_session"]

# What may come before the first diagnostics without handing the session to pygls: the
# client's `initialized`, a configuration the server reads none of, its notifications to the
# protocol ($/setTrace, ...), and a file opened as it is on disk (see _opened).
_KEPT = frozenset({"initialized", "workspace/didChangeConfiguration"})
_OPEN = "textDocument/didOpen"
_PULL = "textDocument/diagnostic"
_PUBLISH = "textDocument/publishDiagnostics"


@dataclass
class Start:
    """What the start did: the messages pygls must read (in order, the first included), the
    requests answered already, the first diagnostics sent (generation 1; None: not sent),
    and the result sent for `initialize` (None: none, pygls answers it)."""

    messages: list[bytes]
    answered: set[object] = field(default_factory=set)
    shown: dict[Path, list[Diagnostic]] | None = None
    answer: dict[str, Any] | None = None
    initialize_id: object = None
    opened: dict[Path, object] = field(default_factory=dict)  # each file opened: its version


def start_session(incoming: Incoming, first: bytes, checks: FirstChecks) -> Start:
    """Answer the client from standard input until the first check's diagnostics are sent,
    or something only pygls can answer arrives."""
    request = body_of(first)
    if request is None or request.get("method") != "initialize" or "id" not in request:
        return Start([first])
    params = request.get("params")
    answer = initialize_result(params)
    if answer is None or not isinstance(params, dict):
        return Start([first], initialize_id=request["id"])
    _send({"jsonrpc": "2.0", "id": request["id"], "result": answer})
    start = Start([first], {request["id"]}, answer=answer, initialize_id=request["id"])
    prepare_decoding()  # while the check runs, not once its results are in
    pulls: dict[int, dict[str, Any]] = {}  # index in start.messages -> the pull request
    if not _await_checks(incoming, checks, start, pulls):
        return start
    results = _results(checks)
    if results is None:
        return start
    found, owners = results
    encoding = str(answer["capabilities"].get("positionEncoding", "utf-16"))
    diagnostics = _Converted(found, owners, units_of(encoding), _docs_url(params))
    if pulls_diagnostics(params):
        for index, pull in sorted(pulls.items(), reverse=True):
            path = file_path(_field(pull, "params", "textDocument", "uri"))
            items = [] if path is None else diagnostics.of(path)
            report = {"kind": "full", "resultId": "1", "items": items}
            _send({"jsonrpc": "2.0", "id": pull["id"], "result": report})
            start.answered.add(pull["id"])
            del start.messages[index]
    else:
        for path in sorted(found):
            published: dict[str, Any] = {"uri": path.as_uri(), "diagnostics": diagnostics.of(path)}
            if path in start.opened:
                published["version"] = start.opened[path]
            _send({"jsonrpc": "2.0", "method": _PUBLISH, "params": published})
    start.shown = found
    return start


def _await_checks(
    incoming: Incoming, checks: FirstChecks, start: Start, pulls: dict[int, dict[str, Any]]
) -> bool:
    """Read the client's messages until every folder's check is in (True), or a message only
    pygls can answer, or the end of the input, arrives first (False)."""
    wake_read, wake_write = os.pipe()
    futures = list(checks.results.values())
    lock = threading.Lock()
    waiting = [True]  # once the start is over, its pipe's descriptors may name other files

    def woken(_: object) -> None:
        with lock:
            if waiting[0]:
                os.write(wake_write, b".")

    for future in futures:
        future.add_done_callback(woken)
    try:
        while True:
            # What the client sent before the results came is read first: a change or a
            # request only pygls answers hands the session over, the results unsent.
            while incoming.has_message():
                if not _kept(read_first_message(incoming), start, pulls):
                    return False
            if all(future.done() for future in futures):
                return True
            ready, _, _ = select.select([incoming.fd, wake_read], [], [])
            if incoming.fd in ready:
                incoming.fill()
            if wake_read in ready:
                os.read(wake_read, 64)
    finally:
        with lock:
            waiting[0] = False
            os.close(wake_read)
            os.close(wake_write)


def _kept(message: bytes, start: Start, pulls: dict[int, dict[str, Any]]) -> bool:
    """Keep `message` for pygls; whether the start goes on after it."""
    start.messages.append(message)
    body = body_of(message)
    method = None if body is None else body.get("method")
    if not isinstance(method, str) or body is None:
        return False
    if method == _PULL and "id" in body:
        pulls[len(start.messages) - 1] = body
        return True
    if method == _OPEN and "id" not in body:
        return _opened(body, start)
    return "id" not in body and (method in _KEPT or method.startswith("$/"))


def _opened(body: dict[str, Any], start: Start) -> bool:
    """A file opened before the results came: they hold if it holds what the disk does (an
    editor opens the file it was started on at once); its version goes with them."""
    document = _field(body, "params", "textDocument")
    text = _field(document, "text")
    path = file_path(_field(document, "uri"))
    if path is None or not isinstance(text, str):
        return False
    try:
        if read_regular(path) != text.encode("utf-8", errors="surrogatepass"):
            return False
    except OSError:
        return False
    start.opened[path] = _field(document, "version")
    return True


def _results(checks: FirstChecks) -> tuple[dict[Path, list[Diagnostic]], dict[Path, Path]] | None:
    """Every folder's first check merged as the server merges its analyses (None: some
    folder was not checked there, and the server's own analysis gives its results)."""
    found: dict[Path, list[Diagnostic]] = {}
    owners: dict[Path, Path] = {}
    checked: list[tuple[Path, FirstCheck]] = []
    for base, future in checks.results.items():
        result = future.result()
        if result is None:
            return None
        checked.append((base, result))
    for base, result in sorted(checked, key=lambda item: len(item[0].parts)):
        add_found(found, owners, base, result)
    return found, owners


class _Converted:
    """The diagnostics of each file as the client is sent them (convert.py's, as plain
    JSON), positions counted in the lines of the file on disk where not ASCII."""

    def __init__(
        self,
        found: dict[Path, list[Diagnostic]],
        owners: dict[Path, Path],
        units: Callable[[str], int],
        docs_url: str | None,
    ) -> None:
        self._found, self._owners, self._units, self._docs_url = found, owners, units, docs_url
        self._lines: dict[Path, list[str] | None] = {}

    def of(self, path: Path) -> list[dict[str, Any]]:
        base = self._owners.get(path, path.parent)
        found = self._found.get(path, [])
        docs_url, units = self._docs_url, self._units
        return [diagnostic_json(d, base, self._lines_of, units, docs_url) for d in found]

    def _lines_of(self, path: Path) -> list[str] | None:
        if path not in self._lines:
            try:
                text = read_regular(path).decode("utf-8", errors="replace")
            except OSError:
                text = None
            self._lines[path] = None if text is None or text.isascii() else lines_of(text)
        return self._lines[path]


def _docs_url(params: dict[str, Any]) -> str:
    options = params.get("initializationOptions")
    docs = options.get("ruleDocsUrl") if isinstance(options, dict) else None
    return docs if isinstance(docs, str) else default_docs_url()


def _field(value: Any, *names: str) -> Any:
    for name in names:
        value = value.get(name) if isinstance(value, dict) else None
    return value


def _send(message: dict[str, Any]) -> None:
    """Write one message to standard output, as pygls frames its own."""
    body = json.dumps(message).encode("utf-8")
    data = b"Content-Length: %d\r\n\r\n" % len(body) + body
    while data:
        data = data[os.write(1, data) :]
