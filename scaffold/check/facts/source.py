"""Bytes to text the way the interpreter decodes a source file (BOM, coding cookie)."""

from __future__ import annotations

import codecs
import io
import tokenize

__all__ = ["decode_source"]


def decode_source(data: bytes) -> str:
    """Decode like the interpreter does (BOM, coding cookie); raise ValueError if it can't."""
    if not data.startswith(codecs.BOM_UTF8):
        # Only the first two lines can declare an encoding, and a declaration says "coding":
        # when they do not (nearly every file) and are ASCII, it is UTF-8, as
        # `tokenize.detect_encoding` would find after reading them in Python.
        second_end = data.find(b"\n", data.find(b"\n") + 1)
        head = data if second_end < 0 else data[:second_end]
        if b"coding" not in head and head.isascii():
            return _decoded(data, "utf-8")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise ValueError(str(exc)) from exc
    return _decoded(data, encoding).removeprefix("\ufeff")


def _decoded(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ValueError(f"cannot decode as {encoding}: {exc}") from exc
