"""The client's first message read before pygls loads, so that the workspace's first read
starts while pygls and lsprotocol are imported (about half a second of start-up)."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlparse

__all__ = ["Replay", "read_first_message", "roots_of"]

# A JSON-RPC message has one or two header lines; more means this is not one.
_MAX_HEADER_LINES = 8


def read_first_message(stream: IO[bytes]) -> bytes:
    """The raw bytes of the first JSON-RPC message on `stream` (headers, blank line, body),
    or as much of it as arrived before the stream ended or stopped looking like one. Nothing
    past that message is read."""
    raw = bytearray()
    length: int | None = None
    for _ in range(_MAX_HEADER_LINES):
        line = stream.readline()
        raw += line
        if not line.endswith(b"\n"):
            return bytes(raw)  # the stream ended
        if not line.strip():
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            length = int(value.strip())
    else:
        return bytes(raw)
    if length is not None:
        raw += stream.read(length)
    return bytes(raw)


def roots_of(message: bytes) -> list[Path]:
    """The workspace folders an `initialize` request names (else its rootUri or rootPath);
    none for anything else."""
    _, _, body = message.partition(b"\r\n\r\n")
    try:
        request = json.loads(body)
    except ValueError:
        return []
    if not isinstance(request, dict) or request.get("method") != "initialize":
        return []
    params = request.get("params")
    if not isinstance(params, dict):
        return []
    folders = params.get("workspaceFolders")
    if isinstance(folders, list) and folders:
        uris = [folder.get("uri") for folder in folders if isinstance(folder, dict)]
        return [path for uri in uris if (path := _file_path(uri)) is not None]
    root = _file_path(params.get("rootUri"))
    if root is None and isinstance(params.get("rootPath"), str):
        root = Path(params["rootPath"])
    return [] if root is None else [root]


def _file_path(uri: Any) -> Path | None:
    if not isinstance(uri, str):
        return None
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = unquote(parsed.path)
    if sys.platform == "win32" and path[:1] == "/" and path[2:3] == ":":
        path = path[1:]  # file:///c:/x is c:/x
    return Path(os.path.abspath(path))


class Replay:
    """`stream` with the bytes `head` put back in front of it, so the JSON-RPC reader sees
    the message read ahead as if it had not been."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head = io.BytesIO(head)
        self._stream = stream

    def readline(self) -> bytes:
        """The next line, its start from `head` and its rest from the stream."""
        line = self._head.readline()
        return line if line.endswith(b"\n") else line + self._stream.readline()

    def read(self, size: int) -> bytes:
        """`size` bytes (fewer only at the end of the stream)."""
        data = self._head.read(size)
        if len(data) < size:
            data += self._stream.read(size - len(data))
        return data
