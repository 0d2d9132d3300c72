"""A pool worker keeps its freed heap for the next file (issue 20, session 13): on glibc it
asks for a trim threshold of 256 MiB at its start, beside its death signal."""

from __future__ import annotations

import ctypes
import sys

import pytest

from scaffold.check.incremental import pool


class _FakeLibc:
    def __init__(self, calls: list[tuple[str, tuple[int, ...]]], with_mallopt: bool) -> None:
        self.calls = calls
        if with_mallopt:
            self.mallopt = lambda *args: calls.append(("mallopt", args))

    def prctl(self, *args: int) -> int:
        self.calls.append(("prctl", args))
        return 0


@pytest.mark.skipif(sys.platform != "linux", reason="the worker's start asks Linux only")
@pytest.mark.parametrize("with_mallopt", [True, False])
def test_the_worker_start_sets_a_high_trim_threshold(
    monkeypatch: pytest.MonkeyPatch, with_mallopt: bool
) -> None:
    calls: list[tuple[str, tuple[int, ...]]] = []
    monkeypatch.setattr(
        ctypes, "CDLL", lambda name, use_errno=False: _FakeLibc(calls, with_mallopt)
    )
    pool._start_worker(None)
    assert calls[0][0] == "prctl"
    if with_mallopt:  # glibc's M_TRIM_THRESHOLD is -1
        assert calls[1:] == [("mallopt", (-1, 256 << 20))]
    else:  # a C library without mallopt: the start goes on
        assert calls[1:] == []
