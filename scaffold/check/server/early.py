"""The client's first message read before pygls loads, so that the workspace's first read
starts while pygls and lsprotocol are imported (about half a second of start-up)."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import unquote, urlparse

__all__ = [
    "Incoming",
    "Readable",
    "Replay",
    "body_of",
    "file_path",
    "read_first_message",
    "roots_of",
]

# A JSON-RPC message has one or two header lines; more means this is not one.
_MAX_HEADER_LINES = 8


class Readable(Protocol):
    """A byte stream read by lines and by counts."""

    def readline(self) -> bytes:
        """The next line."""

    def read(self, size: int) -> bytes:
        """`size` bytes, fewer only at the end."""


def read_first_message(stream: Readable) -> bytes:
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


def body_of(message: bytes) -> dict[str, Any] | None:
    """The JSON object a message carries, or None (not one, or not JSON)."""
    _, _, body = message.partition(b"\r\n\r\n")
    try:
        found = json.loads(body)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def roots_of(message: bytes) -> list[Path]:
    """The workspace folders an `initialize` request names (else its rootUri or rootPath);
    none for anything else."""
    request = body_of(message)
    if request is None or request.get("method") != "initialize":
        return []
    params = request.get("params")
    if not isinstance(params, dict):
        return []
    folders = params.get("workspaceFolders")
    if isinstance(folders, list) and folders:
        uris = [folder.get("uri") for folder in folders if isinstance(folder, dict)]
        return [path for uri in uris if (path := file_path(uri)) is not None]
    root = file_path(params.get("rootUri"))
    if root is None and isinstance(params.get("rootPath"), str):
        root = Path(params["rootPath"])
    return [] if root is None else [root]


def file_path(uri: Any) -> Path | None:
    """The path a `file:` URI names, else None."""
    if not isinstance(uri, str):
        return None
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = unquote(parsed.path)
    if sys.platform == "win32" and path[:1] == "/" and path[2:3] == ":":
        path = path[1:]  # file:///c:/x is c:/x
    return Path(os.path.abspath(path))


class Incoming:
    """The server's input read straight from its file descriptor, in as large parts as have
    arrived: what was read past the messages taken stays here (`rest`), and the descriptor
    can be waited on with select() without a buffer of the stream's holding data unseen."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.ended = False
        self._buffer = bytearray()

    def fill(self) -> None:
        """Read what has arrived (blocks until something has, or the input ends)."""
        data = os.read(self.fd, 1 << 16)
        self._buffer += data
        self.ended = self.ended or not data

    def readline(self) -> bytes:
        """The next line (without its end only at the end of the input)."""
        while b"\n" not in self._buffer and not self.ended:
            self.fill()
        end = self._buffer.find(b"\n") + 1 or len(self._buffer)
        return self._take(end)

    def read(self, size: int) -> bytes:
        """`size` bytes (fewer only at the end of the input)."""
        while len(self._buffer) < size and not self.ended:
            self.fill()
        return self._take(size)

    def has_message(self) -> bool:
        """Whether the next message can be read whole without waiting (or what is there is
        not one, or the input ended: read_first_message then returns at once too)."""
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            return self.ended or len(self._buffer) > 1 << 12
        length = None
        for line in bytes(self._buffer[:end]).split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length" and value.strip().isdigit():
                length = int(value.strip())
        return length is None or self.ended or len(self._buffer) >= end + 4 + length

    def rest(self) -> bytes:
        """Everything read and not taken yet."""
        return self._take(len(self._buffer))

    def _take(self, size: int) -> bytes:
        taken = bytes(self._buffer[:size])
        del self._buffer[:size]
        return taken


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
