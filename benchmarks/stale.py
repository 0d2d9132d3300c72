"""Issue 21's rows: a foreign or stale cache in place against no cache at all.

A run that finds a cache it cannot use must cost no more than one that finds no cache: the
first run, which parses everything and writes the cache (itself held to at most 1.10x a
`--no-cache` run). Four copies of one project, every file changed since the cache was
written (a new module-level name, so every file's facts change too), each checked in turn:

* `--no-cache`;
* no cache present: the first run, which writes one;
* the cache of another scaffold version in place (its fingerprint differs: refused after
  reading its head), then rewritten;
* the cache of the project before the change in place (a stale cache: another branch's,
  or another tree's restored at this path): every file's stat and content differ.

Before every run of any of them, each copy's cache folder is put back as it was.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from measure import Measurement, measure_alternating

__all__ = ["caches_in_place"]

CACHE = ".scaffold_cache"


def _foreign(folder: Path) -> None:
    """Make the cache files in `folder` another version's: one byte of the fingerprint,
    right after the format line, changed."""
    for path in folder.glob("check-*.bin"):
        data = bytearray(path.read_bytes())
        at = data.index(b"\n") + 1
        data[at] ^= 0xFF
        path.write_bytes(bytes(data))


def caches_in_place(
    scaffold: list[str], project: Path, package: str, repeat: int, label: str
) -> tuple[Measurement, ...]:
    """`--no-cache`, no cache present, a foreign cache and a stale cache on copies of
    `project` (a folder holding `package` and a pyproject.toml), after every file of
    `package` changed."""
    work = Path(tempfile.mkdtemp(prefix="scaffold-bench-stale-"))
    try:
        original = shutil.copytree(project, work / "original")
        subprocess.run(
            [*scaffold, "check", "--exit-zero", str(original / package)],
            capture_output=True,
            check=False,
        )
        stale = shutil.copytree(original / CACHE, work / "stale-cache")
        foreign = shutil.copytree(original / CACHE, work / "foreign-cache")
        _foreign(foreign)
        for path in (original / package).rglob("*.py"):
            with path.open("a", encoding="utf-8") as stream:
                stream.write("\n_bench_stale = 1\n")
        shutil.rmtree(original / CACHE)
        names = ("nc", "none", "f", "s")
        copies = {name: shutil.copytree(original, work / name) for name in names}
        saved: dict[str, Path | None] = {"nc": None, "none": None, "f": foreign, "s": stale}
        return _measure(scaffold, copies, saved, package, repeat, label)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _measure(
    scaffold: list[str],
    copies: dict[str, Path],
    saved: dict[str, Path | None],
    package: str,
    repeat: int,
    label: str,
) -> tuple[Measurement, ...]:
    def put_back() -> None:
        for name, copy in copies.items():
            shutil.rmtree(copy / CACHE, ignore_errors=True)
            kept = saved[name]
            if kept is not None:
                shutil.copytree(kept, copy / CACHE)

    def argv(name: str) -> list[str]:
        return [*scaffold, "check", "--exit-zero", str(copies[name] / package)]

    commands = [
        (f"scaffold check --no-cache ({label}, all changed)", [*argv("nc"), "--no-cache"]),
        ("scaffold check (no cache present: the first run writes it)", argv("none")),
        ("scaffold check (a cache of another scaffold version in place)", argv("f")),
        ("scaffold check (a stale cache in place: every file changed since)", argv("s")),
    ]
    # One run of each per round, the order turned by one each round: in a fixed order the
    # rows that always follow a run writing a cache, or always the first, paid for it.
    rounds: dict[str, list[Measurement]] = {name: [] for name, _ in commands}
    for turn in range(repeat):
        at = turn % len(commands)
        for measured in measure_alternating(
            commands[at:] + commands[:at], repeat=1, before_each=put_back
        ):
            rounds[measured.label].append(measured)
    return tuple(_merged(rounds[name]) for name, _ in commands)


def _merged(runs: list[Measurement]) -> Measurement:
    """One command's rounds as `measure_alternating` gives several runs: median wall and CPU
    times, the largest peak; timed out when any round was."""
    if any(run.timed_out for run in runs):
        return next(run for run in runs if run.timed_out)
    return Measurement(
        runs[0].label,
        statistics.median(run.seconds for run in runs),
        max(run.peak_mb for run in runs),
        len(runs),
        False,
        tuple(code for run in runs for code in run.exit_codes),
        statistics.median(run.cpu for run in runs),
        tuple(wall for run in runs for wall in run.walls),
        tuple(cpu for run in runs for cpu in run.cpus),
    )
