"""The result of `initialize` as pygls makes it for the features scaffold's server registers
(features.py), computed without importing pygls or lsprotocol: the start (start.py) answers
the client with it before they load, on a first start on a machine as on any later one.

pygls's ServerCapabilitiesBuilder reads three things of the client's capabilities when no
feature of scaffold's depends on them: the position encodings it prefers (the first of
UTF-8, UTF-16 and UTF-32 it names, else UTF-16) and whether it says anything of will-save
notifications (then `false` is sent for each, scaffold registering neither). A property
test compares this answer with pygls's over random capabilities
(tests/server/test_server_start.py), and the server compares the two at each start and
logs a difference (lsp.py). Capabilities it cannot read as pygls reads them give None:
pygls then answers itself."""

from __future__ import annotations

from typing import Any

from scaffold import __version__

__all__ = ["initialize_result", "pulls_diagnostics"]

# The position encodings pygls supports, in no order: the client's order decides.
_ENCODINGS = frozenset({"utf-8", "utf-16", "utf-32"})
_DEFAULT_ENCODING = "utf-16"
# TextDocumentSyncKind.Incremental.
_INCREMENTAL = 2


def initialize_result(params: Any) -> dict[str, Any] | None:
    """pygls's result for an `initialize` request with `params` (its JSON), or None where
    the client's capabilities are not of the form this reads."""
    capabilities = params.get("capabilities") if isinstance(params, dict) else None
    if not isinstance(capabilities, dict):
        return None
    encoding = _position_encoding(capabilities.get("general"))
    sync = _text_document_sync(capabilities.get("textDocument"))
    if encoding is None or sync is None:
        return None
    result: dict[str, Any] = {
        "capabilities": {
            "positionEncoding": encoding,
            "textDocumentSync": sync,
            "hoverProvider": True,
            "codeActionProvider": {"codeActionKinds": ["quickfix", "source.fixAll.scaffold"]},
            "executeCommandProvider": {"commands": []},
            "workspace": {
                "workspaceFolders": {"supported": True, "changeNotifications": True},
                "fileOperations": {},
            },
            "diagnosticProvider": {
                "interFileDependencies": True,
                "workspaceDiagnostics": True,
                "identifier": "scaffold",
            },
        },
        "serverInfo": {"name": "scaffold", "version": __version__},
    }
    if not pulls_diagnostics(params):
        # Pushed to: offered no pull either (lsp._Protocol takes it out of pygls' answer).
        del result["capabilities"]["diagnosticProvider"]
    return result


def pulls_diagnostics(params: dict[str, Any]) -> bool:
    """As features._pulls, on the JSON: a client that pulls and can be asked to pull again."""
    capabilities = params.get("capabilities")
    refreshes = _field(capabilities, "workspace", "diagnostics", "refreshSupport") is True
    return refreshes and _field(capabilities, "textDocument", "diagnostic") is not None


def _field(value: Any, *names: str) -> Any:
    for name in names:
        value = value.get(name) if isinstance(value, dict) else None
    return value


def _position_encoding(general: Any) -> str | None:
    if general is None:
        return _DEFAULT_ENCODING
    encodings = general.get("positionEncodings") if isinstance(general, dict) else ()
    if encodings is None:
        return _DEFAULT_ENCODING
    if not isinstance(encodings, list) or not all(isinstance(e, str) for e in encodings):
        return None
    return next((e for e in encodings if e in _ENCODINGS), _DEFAULT_ENCODING)


def _text_document_sync(text_document: Any) -> dict[str, Any] | None:
    sync: dict[str, Any] = {"openClose": True, "change": _INCREMENTAL, "save": True}
    if text_document is None:
        return sync
    synchronization = text_document.get("synchronization") if isinstance(text_document, dict) else 0
    if synchronization is None:
        return sync
    if not isinstance(synchronization, dict):
        return None
    for name in ("willSave", "willSaveWaitUntil"):
        said = synchronization.get(name)
        if said is None:
            continue
        if not isinstance(said, bool):
            return None
        sync[name] = False  # the client's and scaffold's (which registers no such feature)
    return sync
