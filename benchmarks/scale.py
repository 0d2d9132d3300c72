"""The large-tree benchmarks: a real environment of 10,000+ files, and the cost curve over
synthetic trees of 1x, 4x and 16x a base size, plotted to benchmarks/scaling.png.

Both are slow (minutes), so `run.py` runs them only when asked: `--only environment` and
`--only curve`. Ratios are of CPU seconds (user + system, children included): on a shared
machine they drift far less with load than wall seconds do.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from measure import Measurement, measure, measure_alternating
from trees import ENVIRONMENT, clear_caches, environment_tree, synthetic_tree

__all__ = ["CURVE_BASE_FILES", "CURVE_SCALES", "bench_curve", "bench_environment"]

HERE = Path(__file__).resolve().parent
PLOT = HERE / "scaling.png"
CURVE_SCALES = (1, 4, 16)
CURVE_BASE_FILES = 1500  # 16x: 24,000 files
CURVE_FUNCTIONS = 3  # functions per module (~60 lines, a quarter of the default)


# A cold check of the environment takes minutes of CPU; under load, far longer in wall time.
TIMEOUT = 3600.0


def _row(m: Measurement, base: Measurement | None = None, note: str = "") -> str:
    if m.timed_out:
        return f"| {m.label} | >{m.seconds:.0f} | | | | stopped; {note} |"
    ratio = f"{m.cpu / base.cpu:.2f}x" if base and base.cpu else ""
    return f"| {m.label} | {m.seconds:.3f} | {m.cpu:.3f} | {ratio} | {m.peak_mb:.0f} | {note} |"


def _table(title: str, rows: list[str]) -> None:
    print(f"\n### {title}\n")
    print("| command | median wall s | median CPU s | CPU ratio | peak MB | note |")
    print("|---|---:|---:|---:|---:|---|")
    for row in rows:
        print(row)


def bench_environment(scaffold: list[str], repeat: int, jobs: int) -> None:
    """`scaffold check` of a whole `pip --target` environment against the parse floor."""
    root = environment_tree()
    files = sum(1 for _ in root.rglob("*.py"))
    stubs = sum(1 for _ in root.rglob("*.pyi"))
    print(
        f"\nenvironment ({len(ENVIRONMENT)} distributions): {files:,} .py files and {stubs:,}"
        f" stubs (the floor parses both, as the check does); {jobs} cores"
    )
    argv = [*scaffold, "check", str(root), "--exit-zero"]
    floor, cold = measure_alternating(
        [
            (
                f"parse floor (ast.parse, {jobs} processes)",
                [sys.executable, str(HERE / "floor.py"), str(root), "-j", str(jobs)],
            ),
            ("scaffold check --no-cache (cold)", [*argv, "--no-cache"]),
        ],
        repeat=repeat,
        timeout=TIMEOUT,
    )
    first = measure(
        "scaffold check (first run: writes the cache)",
        argv,
        repeat=repeat,
        timeout=TIMEOUT,
        before_each=lambda: clear_caches(root),
    )
    warm = measure("scaffold check (warm)", argv, repeat=repeat, timeout=TIMEOUT)
    peak = max(cold.peak_mb, first.peak_mb, warm.peak_mb)
    _table(
        f"A real environment: {files:,} files",
        [
            _row(floor),
            _row(cold, floor, "target <= 1.25x floor"),
            _row(first, cold, "ratio to cold"),
            _row(warm, floor, "target <= 0.5 s"),
            f"| peak memory, any of the runs above | | | | {peak:.0f} | target <= 1 GB |",
        ],
    )


def _curve_point(scaffold: list[str], scale: int, repeat: int) -> list[Measurement]:
    """Cold, warm and one-file-changed runs on the synthetic tree of `scale`."""
    root = synthetic_tree(scale, base_files=CURVE_BASE_FILES, functions=CURVE_FUNCTIONS)
    files = scale * CURVE_BASE_FILES
    argv = [*scaffold, "check", str(root), "--exit-zero"]
    cold = measure(f"{files:,} files: --no-cache (cold)", [*argv, "--no-cache"], repeat=repeat)
    clear_caches(root)
    subprocess.run(argv, capture_output=True, check=False)
    warm = measure(f"{files:,} files: warm", argv, repeat=repeat)
    victim = root / "pkg0" / "mod0.py"
    original = victim.read_bytes()

    def bind_one() -> None:
        # A new top-level name: the file's facts change, and the files that read it run again.
        victim.write_bytes(victim.read_bytes() + f"_bench_{time.time_ns()} = 1\n".encode())

    try:
        changed = measure(
            f"{files:,} files: one file changed (a new top-level name)",
            argv,
            repeat=repeat,
            before_each=bind_one,
        )
    finally:
        victim.write_bytes(original)
    return [cold, warm, changed]


def bench_curve(scaffold: list[str], repeat: int) -> None:
    """The cost curve: cold, warm and one-file-changed CPU seconds at 1x, 4x and 16x."""
    points = {scale: _curve_point(scaffold, scale, repeat) for scale in CURVE_SCALES}
    base = points[CURVE_SCALES[0]]
    rows = []
    for scale, measured in points.items():
        for kind, (m, at_one) in enumerate(zip(measured, base, strict=True)):
            note = f"{scale}x the files" if kind == 0 else ""
            rows.append(_row(m, at_one, note))
    _table("Cost curve (ratios to the same kind of run on the 1x tree)", rows)
    plot_curve(points)
    print(f"\nplotted to {PLOT.relative_to(HERE.parent)}")


def plot_curve(points: dict[int, list[Measurement]]) -> None:
    """CPU seconds against files, log-log, with the slope of linear growth for each kind."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    files = [scale * CURVE_BASE_FILES for scale in points]
    figure, axes = plt.subplots(figsize=(7, 4.5), dpi=120)
    kinds = ("cold (--no-cache)", "warm (nothing changed)", "one file changed")
    for kind, (label, colour) in enumerate(zip(kinds, ("C3", "C0", "C2"), strict=True)):
        seconds = [measured[kind].cpu for measured in points.values()]
        axes.plot(files, seconds, "o-", color=colour, label=label, linewidth=2)
        linear = [seconds[0] * count / files[0] for count in files]
        axes.plot(files, linear, ":", color=colour, linewidth=1)
    axes.plot([], [], ":", color="grey", label="linear growth from the first point")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xticks(files, [f"{count:,}" for count in files])
    every = [measured[kind].cpu for measured in points.values() for kind in range(3)]
    low, high = min(every) / 1.3, max(every) * 1.3
    ticks = [t for t in (0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 200) if low <= t <= high]
    axes.set_yticks(ticks, [f"{tick:g}" for tick in ticks])
    axes.set_ylim(low, high)
    axes.minorticks_off()
    axes.set_xlabel("Python files in the tree")
    axes.set_ylabel("CPU seconds (user + system)")
    axes.set_title("scaffold check: cost against tree size")
    axes.grid(True, which="major", alpha=0.3)
    axes.legend(loc="upper left", fontsize="small")
    figure.tight_layout()
    figure.savefig(PLOT)
    plt.close(figure)
