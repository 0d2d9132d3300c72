"""A cache file whose checksum holds but whose values have the wrong types (forged, or written
by something else) is no cache: never trusted, never a crash."""

from __future__ import annotations

import marshal
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from scaffold.check import CheckOptions, run_check
from scaffold.check.incremental.store import CACHE_DIR, content_digest
from scaffold.check.model import Diagnostic

from .cache_layout import checksum, join, split
from .check_support import DEFAULT

Build = Callable[[Mapping[str, str | bytes]], Path]
Payload = tuple[dict[object, object], dict[object, object], object, object]

PROJECT = {
    "pyproject.toml": '[project]\nname = "demo"\nversion = "0"\n',
    "demo/__init__.py": 'from .core import run\n\n__all__ = ["run", "missing"]\n',
    "demo/core.py": "def run() -> None:\n    pass\n\n\n__all__ = ['run']\n",
}


def _report(root: Path, use_cache: bool = True) -> tuple[Diagnostic, ...]:
    options = CheckOptions(paths=(root,), select=DEFAULT, use_cache=use_cache)
    return run_check(options).diagnostics


def _records(blob: object, change: Callable[[list[object]], None]) -> bytes:
    """Encoded records (one, or a tuple of them) with `change` applied to each."""
    assert isinstance(blob, bytes)
    value = marshal.loads(blob)
    records = list(value) if isinstance(value, tuple) else [value]
    for record in records:
        change(record)
    return marshal.dumps(tuple(records) if isinstance(value, tuple) else records[0])


def _retype(kind: type, to: object) -> Callable[[list[object]], None]:
    """Every top-level field of type `kind` (exactly) set to `to`."""

    def change(record: list[object]) -> None:
        for i, field in enumerate(record[1:], 1):
            if type(field) is kind:
                record[i] = to

    return change


def _sets_of_ints(record: list[object]) -> None:
    for i, field in enumerate(record[1:], 1):
        if isinstance(field, list) and field[:1] == [-1]:
            record[i] = [-1, 5, 6]


FORGERIES: dict[str, Callable[[Payload], Payload]] = {
    "entry holds an int": lambda p: (p[0], dict.fromkeys(p[1], 5), p[2], p[3]),
    "entries are a list": lambda p: (p[0], list(p[1].values()), p[2], p[3]),  # type: ignore[dict-item,return-value]
    "index entry is a string": lambda p: (dict.fromkeys(p[0], "xxxxx"), p[1], p[2], p[3]),
    "index entry is short": lambda p: (dict.fromkeys(p[0], (1, 2)), p[1], p[2], p[3]),
    "result holds an int": lambda p: (p[0], p[1], (b"key", 7), p[3]),
    "facts flags are strings": lambda p: (
        p[0],
        {key: _records(value, _retype(bool, "yes")) for key, value in p[1].items()},
        None,
        None,
    ),
    "facts name sets hold ints": lambda p: (
        p[0],
        {key: _records(value, _sets_of_ints) for key, value in p[1].items()},
        None,
        None,
    ),
    "a finding's message is an int": lambda p: (
        p[0],
        p[1],
        (p[2][0], _records(p[2][1], _retype(str, 5))),  # type: ignore[index]
        p[3],
    ),
    "analysis is a string": lambda p: (p[0], p[1], None, "abc"),
}


def _forged(blob: bytes, forge: Callable[[Payload], Payload]) -> bytes:
    """The cache file `blob` with `forge` applied to what it holds, seen as one payload
    (index, entries, result, analysis), written back in the file's layout with valid
    checksums (tests/check/cache_layout.py)."""
    head, lead, front_bytes, back_bytes = split(blob)
    sample, result, _ = marshal.loads(lead)
    index, digests = marshal.loads(front_bytes)
    entries, analysis = marshal.loads(back_bytes)
    forged = forge((index, entries, result, analysis))
    if forged[1] is not entries or forged[3] is not analysis:
        # The back part is read only when the stored report cannot be kept: a forged back
        # part comes without one, so that the run reads it.
        forged = (forged[0], forged[1], None, forged[3])
    if isinstance(forged[1], dict) and forged[1] is not entries:
        # The front part holds each entry's digest: a value of the wrong type is in both.
        digests = {
            key: content_digest(value) if type(value) is bytes else value
            for key, value in forged[1].items()
        }
    back = marshal.dumps((forged[1], forged[3]))  # type: ignore[arg-type]
    lead = marshal.dumps((sample, forged[2], checksum(back)))  # type: ignore[arg-type]
    return join(head, lead, marshal.dumps((forged[0], digests)), back)


@pytest.mark.parametrize("forge", FORGERIES.values(), ids=list(FORGERIES))
def test_wrong_types_behind_a_valid_checksum_are_no_cache(
    tree: Build, forge: Callable[[Payload], Payload]
) -> None:
    root = tree(PROJECT)
    expected = _report(root, use_cache=False)
    assert expected  # EXP001 for "missing": a report worth keeping
    _report(root)
    (cache_file,) = sorted((root / CACHE_DIR).glob("check-*.bin"))
    cache_file.write_bytes(_forged(cache_file.read_bytes(), forge))
    assert _report(root) == expected
    assert _report(root) == expected
