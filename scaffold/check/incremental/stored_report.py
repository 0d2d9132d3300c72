"""The report a cache keeps (its diagnostics and its analysis's notes), as bytes."""

from __future__ import annotations

import marshal
from collections.abc import Iterable

from scaffold.check.incremental.records import CODEC, model_codec
from scaffold.check.model import Diagnostic

__all__ = ["decode_report", "encode_report"]


def encode_report(diagnostics: Iterable[Diagnostic], notes: Iterable[str]) -> bytes:
    """A report as the cache stores it: its diagnostics and its analysis's notes."""
    return marshal.dumps((CODEC.encode(tuple(diagnostics)), tuple(notes)))  # type: ignore[arg-type]


def decode_report(data: bytes) -> tuple[list[Diagnostic], tuple[str, ...]] | None:
    """The inverse of `encode_report`; None for data it did not write."""
    try:
        encoded, notes = marshal.loads(data)
        value = model_codec().decode(encoded)
    except (EOFError, TypeError, IndexError, KeyError, ValueError):
        return None
    if not isinstance(value, tuple) or not all(isinstance(d, Diagnostic) for d in value):
        return None
    if type(notes) is not tuple or not all(type(note) is str for note in notes):
        return None
    return list(value), notes
