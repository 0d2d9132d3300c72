"""Run a command several times in fresh processes; report median wall time and peak memory."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

__all__ = ["Measurement", "measure", "measure_alternating", "paired_ratios"]

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
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": elapsed, "peak_mb": usage.ru_maxrss / 1024, "code": code,
                  "timed_out": timed_out, "cpu": usage.ru_utime + usage.ru_stime}))
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
    # Median user + system seconds of the command and its children: on a shared machine
    # CPU time drifts far less with load than wall time does.
    cpu: float = 0.0
    # Each run's wall and CPU seconds, in the order run (`paired_ratios`).
    walls: tuple[float, ...] = ()
    cpus: tuple[float, ...] = ()


def paired_ratios(m: Measurement, base: Measurement) -> tuple[float, float, float, float]:
    """The median wall ratio of `m` to `base` taken run by run (the runs of one round of
    `measure_alternating` follow each other), its lowest and highest, and the median CPU
    ratio so taken: a drift of the machine's speed between rounds moves both runs of a
    round, and leaves their ratio."""
    if not m.walls or len(m.walls) != len(base.walls):
        raise ValueError("not measured in the same alternation")
    walls = [a / b for a, b in zip(m.walls, base.walls, strict=True)]
    cpus = [a / b for a, b in zip(m.cpus, base.cpus, strict=True)]
    return statistics.median(walls), min(walls), max(walls), statistics.median(cpus)


def _run_once(argv: Sequence[str], timeout: float, cwd: Path | None) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", _WRAPPER, str(timeout), *argv],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
    ).stdout
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return result


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
    return measure_alternating(
        [(label, argv)], repeat=repeat, timeout=timeout, before_each=before_each, cwd=cwd
    )[0]


def _flush() -> None:
    if hasattr(os, "sync"):
        os.sync()


def measure_alternating(
    commands: Sequence[tuple[str, Sequence[str]]],
    *,
    repeat: int = 3,
    timeout: float = 600.0,
    before_each: Callable[[], None] | None = None,
    cwd: Path | None = None,
) -> list[Measurement]:
    """`measure` for several commands, one run of each in turn per round.

    Compared commands then see the same machine: on a shared one, load drifts over the
    minutes that one command's runs take, and measuring them one after the other turns
    that drift into a ratio. Before each run, whatever was written before it (a tree
    just built, caches copied or removed by `before_each`, the cache the last run wrote)
    is flushed to disk: the kernel writes dirty pages back some 30 s later, inside
    whichever run comes then (a tree of 100,000 files built right before the first
    round, inside the runs of its first minute), and the interrupts of that write-back
    land in the process they happen to interrupt.
    """
    times: list[list[float]] = [[] for _ in commands]
    peaks: list[list[float]] = [[] for _ in commands]
    cpus: list[list[float]] = [[] for _ in commands]
    codes: list[list[int | None]] = [[] for _ in commands]
    timed_out = [False] * len(commands)
    for _ in range(repeat):
        for index, (_, argv) in enumerate(commands):
            if timed_out[index]:
                continue
            if before_each is not None:
                before_each()
            _flush()
            result = _run_once(argv, timeout, cwd)
            if result["timed_out"]:
                timed_out[index] = True
                continue
            times[index].append(float(cast(float, result["seconds"])))
            peaks[index].append(float(cast(float, result["peak_mb"])))
            cpus[index].append(float(cast(float, result["cpu"])))
            codes[index].append(cast("int | None", result["code"]))
    return [
        Measurement(label, timeout, max(peaks[i], default=0.0), len(times[i]) + 1, True)
        if timed_out[i]
        else Measurement(
            label,
            statistics.median(times[i]),
            max(peaks[i]),
            repeat,
            False,
            tuple(codes[i]),
            statistics.median(cpus[i]),
            tuple(times[i]),
            tuple(cpus[i]),
        )
        for i, (label, _) in enumerate(commands)
    ]


def timed(func: Callable[[], object]) -> float:
    """Wall time of one call, for steps that are not commands."""
    start = time.perf_counter()
    func()
    return time.perf_counter() - start
