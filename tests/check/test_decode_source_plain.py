"""A file whose first two lines are ASCII and say no "coding" is decoded as UTF-8 without
`tokenize.detect_encoding` (issue 20, session 13): the same text, or the same error, as the
interpreter's way for every kind of head."""

from __future__ import annotations

import io
import tokenize

import pytest

from scaffold.check.facts.source import decode_source


def _reference(data: bytes) -> str:
    """The decoding as it was: always through `tokenize.detect_encoding`."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise ValueError(str(exc)) from exc
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ValueError(f"cannot decode as {encoding}: {exc}") from exc
    return text.removeprefix("\ufeff")


DATA = [
    b"",
    b"x = 1",
    b"x = 1\n",
    b"\n\nx = 'caf\xc3\xa9'\n",
    b"# comment\n# -*- coding: latin-1 -*-\nx = '\xe9'\n",
    b"# -*- coding: latin-1 -*-\nx = '\xe9'\n",
    b"#!/usr/bin/env python\n# coding=utf-8\nx = 1\n",
    b"x = 1\n# coding: latin-1\n",  # line 2 after code: no declaration
    b"\n\n# coding: latin-1\nx = '\xe9'\n",  # line 3: no declaration
    b"# vim: set fileencoding=cp1252 :\n",
    b"# coding: no-such-codec\n",
    b"\xef\xbb\xbfx = 1\n",
    b"\xef\xbb\xbf# coding: latin-1\n",
    b"x = '\xff'\n",  # not UTF-8 on line 1
    b"x = 1\ny = 2\nz = '\xff'\n",  # not UTF-8 after the head
    b"# caf\xc3\xa9\nx = 1\n",
    b"x = 1\r\n# coding: latin-1\r\n",
    b"x = 1\ry = 2\n",
    b"# \xc3\xa9 coding: latin-1\n",
    b"def f():\n    return 'coding'\n" + b"x = 1\n" * 10,
]


@pytest.mark.parametrize("data", DATA)
def test_decoding_is_the_interpreters(data: bytes) -> None:
    try:
        expected: str | ValueError = _reference(data)
    except ValueError as exc:
        expected = exc
    if isinstance(expected, ValueError):
        with pytest.raises(ValueError) as raised:
            decode_source(data)
        assert str(raised.value) == str(expected)
    else:
        assert decode_source(data) == expected


def test_a_plain_file_is_not_read_by_detect_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(readline: object) -> object:
        raise AssertionError("detect_encoding read a plain file")

    monkeypatch.setattr(tokenize, "detect_encoding", refuse)
    assert (
        decode_source(b'"""Doc."""\nimport os\nx = "caf\xc3\xa9"\n')
        == '"""Doc."""\nimport os\nx = "café"\n'
    )
    with pytest.raises(AssertionError):
        decode_source(b"# coding: latin-1\n")  # a declaration: the interpreter's way
