"""Bytes to text the way the interpreter decodes a source file (BOM, coding cookie)."""

from __future__ import annotations

import io
import tokenize

__all__ = ["decode_source"]


def decode_source(data: bytes) -> str:
    """Decode like the interpreter does (BOM, coding cookie); raise ValueError if it can't."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise ValueError(str(exc)) from exc
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ValueError(f"cannot decode as {encoding}: {exc}") from exc
    return text.removeprefix("\ufeff")
