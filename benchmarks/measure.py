"""Run a command several times in fresh processes; report median wall time and peak memory."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Measurement", "measure"]

# Runs the command as its child and prints the child's peak resident set size, so the
# figure belongs to that command alone (RUSAGE_CHILDREN of a fresh wrapper process).
_WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
try:
    proc = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          timeout=float(sys.argv[1]))
    code, timed_out = proc.returncode, False
except subprocess.TimeoutExpired:
    code, timed_out = None, True
elapsed = time.perf_counter() - start
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": elapsed, "peak_mb": peak_kb / 1024, "code": code,
                  "timed_out": timed_out}))
"""


@dataclass(frozen=True)
class Measurement:
    """The median of several runs of one command."""

    label: str
    seconds: float
    peak_mb: float
    runs: int
    timed_out: bool = False
    exit_codes: tuple[int | None, ...] = ()


def measure(
    label: str,
    argv: Sequence[str],
    *,
    repeat: int = 3,
    timeout: float = 600.0,
    before_each: Callable[[], None] | None = None,
    cwd: Path | None = None,
) -> Measurement:
    """Median wall time and the largest peak RSS over `repeat` fresh runs of `argv`."""
    times: list[float] = []
    peaks: list[float] = []
    codes: list[int | None] = []
    for _ in range(repeat):
        if before_each is not None:
            before_each()
        out = subprocess.run(
            [sys.executable, "-c", _WRAPPER, str(timeout), *argv],
            capture_output=True,
            text=True,
            check=True,
            cwd=cwd,
        ).stdout
        result = json.loads(out.strip().splitlines()[-1])
        if result["timed_out"]:
            return Measurement(label, timeout, result["peak_mb"], len(times) + 1, True)
        times.append(result["seconds"])
        peaks.append(result["peak_mb"])
        codes.append(result["code"])
    return Measurement(label, statistics.median(times), max(peaks), repeat, False, tuple(codes))


def timed(func: Callable[[], object]) -> float:
    """Wall time of one call, for steps that are not commands."""
    start = time.perf_counter()
    func()
    return time.perf_counter() - start
