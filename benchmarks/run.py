"""Side-by-side speed and memory figures for scaffold against its targets, printed as tables.

    python -m pip install ".[bench]" && python benchmarks/run.py [--only startup,new,check]

Every figure is a median of fresh processes on this machine, measured in one run; targets
are ratios, so the table shows ratios next to the seconds. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Run as `python benchmarks/run.py`: this folder is sys.path[0], so its modules import by name.
from measure import Measurement, measure, measure_alternating, paired_ratios
from scale import bench_curve, bench_environment
from stale import caches_in_place
from trees import SYMPY_VERSION, clear_caches, real_tree, small_tree, synthetic_tree

__all__ = ["main"]

REPO = Path(__file__).resolve().parents[1]
JOBS = os.cpu_count() or 1
PYLINT_CHECKS = (
    "cyclic-import,undefined-all-variable,invalid-all-object,invalid-all-format,"
    "wildcard-import,import-self,relative-beyond-top-level"
)
RUFF_RULES = "F401,F403,F405,F822,PLE0604,PLE0605"


def _scaffold() -> list[str]:
    script = Path(sys.executable).with_name("scaffold")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "scaffold"]


def _tool(name: str) -> list[str] | None:
    script = Path(sys.executable).with_name(name)
    if script.is_file():
        return [str(script)]
    found = shutil.which(name)
    return [found] if found else None


def _compile_scaffold() -> None:
    # An installed scaffold has its bytecode (pip compiles on install); a checkout run with
    # PYTHONDONTWRITEBYTECODE=1 would recompile ~25 modules in every process (~45 ms).
    import compileall

    import scaffold

    compileall.compile_dir(Path(scaffold.__file__).parent, quiet=1)


def _row(m: Measurement, base: Measurement | None = None, note: str = "") -> str:
    ratio = f"{m.seconds / base.seconds:.2f}x" if base and not m.timed_out else ""
    secs = f">{m.seconds:.0f}" if m.timed_out else f"{m.seconds:.3f}"
    return f"| {m.label} | {secs} | {ratio} | {m.peak_mb:.0f} | {note} |"


def _paired(m: Measurement, base: Measurement) -> str:
    """The ratios of two commands run in the same alternation, taken round by round
    (`measure.paired_ratios`): the median wall ratio with its range, and the median CPU
    ratio (user + system, children included: steadier than wall time on a shared machine,
    where another tenant's load moves both runs' walls)."""
    if m.timed_out or base.timed_out:
        return "paired: n/a"
    wall, low, high, cpu = paired_ratios(m, base)
    return f"paired: wall {wall:.2f}x ({low:.2f}-{high:.2f}), CPU {cpu:.2f}x"


def _table(title: str, rows: list[str]) -> None:
    print(f"\n### {title}\n")
    print("| command | median s | ratio | peak MB | note |")
    print("|---|---:|---:|---:|---|")
    for row in rows:
        print(row)


def bench_startup() -> None:
    scaffold = _scaffold()
    small = small_tree()
    bare = measure("python -c pass", [sys.executable, "-c", "pass"], repeat=7)
    help_ = measure("scaffold --help", [*scaffold, "--help"], repeat=7)
    rows = [_row(bare), _row(help_, bare, "target < 0.15 s")]
    cold = measure(
        "scaffold check --no-cache (10 files)",
        [*scaffold, "check", str(small), "--exit-zero", "--no-cache"],
        repeat=7,
    )
    rows.append(_row(cold, bare, "target < 0.15 s; exit codes " + str(set(cold.exit_codes))))
    warm_argv = [*scaffold, "check", str(small), "--exit-zero"]
    subprocess.run(warm_argv, capture_output=True, check=False)
    warm = measure("scaffold check (10 files, cache warm)", warm_argv, repeat=7)
    rows.append(_row(warm, bare, "target < 0.15 s"))
    _table("Start-up", rows)


def bench_new() -> None:
    scaffold = _scaffold()
    template = REPO / "templates" / "package"
    work = Path(tempfile.mkdtemp(prefix="scaffold-bench-"))

    def fresh() -> None:
        for child in work.iterdir():
            shutil.rmtree(child)

    copier_code = (
        "import sys, copier; copier.run_copy(sys.argv[1], sys.argv[2], "
        "data={'package': 'demo', 'modules': ['core', 'draw'], 'scaffold_version': '0'}, "
        "defaults=True, quiet=True)"
    )
    copier_direct, new = measure_alternating(
        [
            (
                "copier.run_copy (same template, same answers)",
                [sys.executable, "-c", copier_code, str(template), str(work / "demo")],
            ),
            (
                "scaffold new package demo --module core --module draw",
                [
                    *scaffold,
                    "new",
                    "package",
                    "demo",
                    "--module",
                    "core",
                    "--module",
                    "draw",
                    "--dest",
                    str(work / "demo"),
                    "--quiet",
                ],
            ),
        ],
        repeat=9,
        before_each=fresh,
    )
    shutil.rmtree(work, ignore_errors=True)
    _table(
        "Generation",
        [_row(copier_direct), _row(new, copier_direct, "target <= 1.10x copier")],
    )


def _restored_elsewhere(scaffold: list[str], tree: Path, repeat: int) -> list[Measurement]:
    """A warm run of a project holding `tree`'s package, and, in turn, a run on a copy of the
    project at another path, its cache copied along: what a CI runner sees after restoring
    the cache into a fresh clone (new paths, inodes, ctimes and mtimes). Twice: checked by
    absolute path from another folder (the printout names the path, so none is replayed),
    and as CI runs it, `scaffold check sympy` from the project's folder."""
    work = Path(tempfile.mkdtemp(prefix="scaffold-bench-restored-"))
    here, there = work / "here" / "project", work / "there" / "checkout"
    shutil.copytree(tree / "sympy", here / "sympy")
    (here / "pyproject.toml").write_text('[project]\nname = "bench"\nversion = "0"\n')
    argv = [*scaffold, "check", "--exit-zero"]
    subprocess.run([*argv, str(here / "sympy")], capture_output=True, check=False)
    subprocess.run([*argv, "sympy"], capture_output=True, check=False, cwd=here)

    def restore() -> None:
        shutil.rmtree(there, ignore_errors=True)
        shutil.copytree(here, there)
        for path in (there / "sympy").rglob("*.py"):
            path.touch()  # a clone's files are new

    def inside(folder: Path) -> list[str]:
        return ["env", "-C", str(folder), *argv, "sympy"]

    try:
        return measure_alternating(
            [
                ("scaffold check (warm)", [*argv, str(here / "sympy")]),
                (
                    "scaffold check (a copy at another path, its cache restored)",
                    [*argv, str(there / "sympy")],
                ),
                ("scaffold check sympy, in the project's folder (warm)", inside(here)),
                ("the same in a clone's folder at another path, cache restored", inside(there)),
            ],
            repeat=repeat,
            before_each=restore,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench_check(pylint_timeout: float, repeat: int) -> None:
    scaffold = _scaffold()
    tree = real_tree()
    root = tree / "sympy"
    files = sum(1 for _ in root.rglob("*.py"))
    lines = sum(p.read_bytes().count(b"\n") for p in root.rglob("*.py"))
    print(f"\nsympy {SYMPY_VERSION}: {files} files, {lines:,} lines; {JOBS} cores")

    check_argv = [*scaffold, "check", str(root), "--exit-zero"]
    floor, cold = measure_alternating(
        [
            (
                f"parse floor (ast.parse, {JOBS} processes)",
                [sys.executable, str(REPO / "benchmarks" / "floor.py"), str(root), "-j", str(JOBS)],
            ),
            ("scaffold check --no-cache (cold)", [*check_argv, "--no-cache"]),
        ],
        repeat=repeat,
    )
    # Both clear the cache first, so the pair differs only in writing it.
    no_cache, first = measure_alternating(
        [
            (
                "scaffold check --no-cache (cold, paired with the next row)",
                [*check_argv, "--no-cache"],
            ),
            ("scaffold check (first run: parse and write the cache)", check_argv),
        ],
        repeat=repeat,
        before_each=lambda: clear_caches(root),
    )
    warm, restored, warm_inside, restored_inside = _restored_elsewhere(scaffold, tree, repeat)
    project = Path(tempfile.mkdtemp(prefix="scaffold-bench-project-"))
    shutil.copytree(root, project / "sympy")
    (project / "pyproject.toml").write_text('[project]\nname = "bench"\nversion = "0"\n')
    try:
        in_place = caches_in_place(scaffold, project, "sympy", repeat, "sympy")
    finally:
        shutil.rmtree(project, ignore_errors=True)
    subprocess.run(check_argv, capture_output=True, check=False)  # warm for the edits below
    victim = root / "core" / "basic.py"
    original = victim.read_bytes()

    def comment_one() -> None:
        victim.write_bytes(victim.read_bytes() + f"# {time.time_ns()}\n".encode())

    def bind_one() -> None:
        # A new module-level name changes the file's facts: the files that read them run again.
        victim.write_bytes(victim.read_bytes() + f"_bench_{time.time_ns()} = 1\n".encode())

    def insert_one() -> None:
        # A function above the first class: every later line of the file moves.
        data = victim.read_bytes()
        at = data.index(b"\nclass ") + 1
        function = f"def _bench_{time.time_ns()}() -> int:\n    return 1\n\n\n".encode()
        victim.write_bytes(data[:at] + function + data[at:])

    def import_one() -> None:
        # A new import changes what the import-time simulation sees: it runs again.
        line = f"from sympy.core.singleton import S as _bench_{time.time_ns()}\n"
        victim.write_bytes(victim.read_bytes() + line.encode())

    try:
        changed = measure(
            "scaffold check (one file changed: a comment appended)",
            check_argv,
            repeat=repeat,
            before_each=comment_one,
        )
        rebound = measure(
            "scaffold check (one file changed: a new top-level name)",
            check_argv,
            repeat=repeat,
            before_each=bind_one,
        )
        moved = measure(
            "scaffold check (one file changed: a function inserted, lines below move)",
            check_argv,
            repeat=repeat,
            before_each=insert_one,
        )
        imported = measure(
            "scaffold check (one file changed: a new import)",
            check_argv,
            repeat=repeat,
            before_each=import_one,
        )
    finally:
        victim.write_bytes(original)
    rows = [
        _row(floor),
        _row(cold, floor, "target <= 1.15x floor"),
        _row(no_cache),
        _row(first, no_cache, f"target <= 1.10x --no-cache (above); {_paired(first, no_cache)}"),
        _row(warm, floor, "target < 0.15 s"),
        _row(restored, warm, "target <= 1.5x warm (ratio to warm); every file read and hashed"),
        _row(warm_inside, floor, "as CI runs it: a kept printout of a relative path"),
        _row(restored_inside, warm_inside, "target <= 1.5x (ratio to the row above)"),
        *_in_place_rows(in_place),
        _row(changed, floor, "target < 0.25 s; facts unchanged: the stored report is kept"),
        _row(
            rebound,
            floor,
            "target < 0.25 s; files importing names from it keep results while the names exist",
        ),
        _row(moved, floor, "target < 0.25 s; as above, kept findings are located anew"),
        _row(imported, floor, "target < 0.25 s; the simulation runs again where it read the file"),
    ]

    ruff = _tool("ruff")
    ruff_m = None
    if ruff:
        ruff_m = measure(
            f"ruff check --no-cache --select {RUFF_RULES}",
            [*ruff, "check", "--no-cache", "--exit-zero", "--select", RUFF_RULES, str(root)],
            repeat=repeat,
        )
        rows.append(_row(ruff_m, floor, "Rust"))
    else:
        rows.append("| ruff | not installed | | | pip install '.[bench]' |")
    pylint = _tool("pylint")
    if pylint:
        pl = measure(
            f"pylint -j {JOBS} (comparable checks)",
            [
                *pylint,
                "-j",
                str(JOBS),
                "--disable=all",
                f"--enable={PYLINT_CHECKS}",
                # astroid overflows the stack on resolvent_lookup.py (a 40 kB dict of
                # lambdas), also when it is only imported: by galois_resolvents.py.
                "--ignore=resolvent_lookup.py,galois_resolvents.py",
                "--exit-zero",
                str(root),
            ],
            repeat=1,
            timeout=pylint_timeout,
        )
        note = "resolvent_lookup.py and its importer ignored: pylint crashes on them; " + (
            f"stopped at {pylint_timeout:.0f} s"
            if pl.timed_out
            else f"CRASHED (exit codes {set(pl.exit_codes)}): the time is of an unfinished run"
            if any(pl.exit_codes)
            else f"scaffold cold is {pl.seconds / cold.seconds:.0f}x faster (target >= 25x)"
        )
        rows.append(_row(pl, floor, note))
    else:
        rows.append("| pylint | not installed | | | pip install '.[bench]' |")
    if ruff_m:
        rows.append(
            f"| scaffold warm / ruff cold | | {warm.seconds / ruff_m.seconds:.2f}x | | "
            "warm should beat ruff's cold run |"
        )
    rows.append(f"| peak memory, scaffold cold | | | {cold.peak_mb:.0f} | target < 400 MB |")
    _table(f"check on sympy {SYMPY_VERSION}", rows)

    scale_rows = []
    base = None
    for scale in (1, 2, 4):
        syn = synthetic_tree(scale)
        m = measure(
            f"scaffold check --no-cache synthetic {scale}x ({scale * 400} files)",
            [*scaffold, "check", str(syn), "--exit-zero", "--no-cache"],
            repeat=repeat,
        )
        base = base or m
        scale_rows.append(_row(m, base, "target: 4x files <= 4.4x time" if scale == 4 else ""))
    _table("Scaling", scale_rows)


def _in_place_rows(measured: tuple[Measurement, ...]) -> list[str]:
    no_cache, none, foreign, stale = measured
    target = "target <= 1.00x no cache present (ratio to the row above them); "

    def to_no_cache(m: Measurement) -> str:
        return f"{m.seconds / no_cache.seconds:.2f}x --no-cache"

    return [
        _row(no_cache),
        _row(none, no_cache, f"ratio to --no-cache; {_paired(none, no_cache)}"),
        _row(foreign, none, target + to_no_cache(foreign)),
        _row(stale, none, target + to_no_cache(stale)),
    ]


def bench_tiny(count: int, repeat: int) -> None:
    """Writing the cache where files are many and parsing is cheap: `count` tiny modules."""
    scaffold = _scaffold()
    work = Path(tempfile.mkdtemp(prefix="scaffold-bench-tiny-"))
    (work / "pyproject.toml").write_text('[project]\nname = "tiny"\nversion = "0"\n')
    for start in range(0, count, 1000):
        package = work / "tiny" / f"part{start // 1000}"
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("")
        for index in range(start, min(start + 999, count)):
            (package / f"mod{index}.py").write_text(f"import os\n\nVALUE = {index}\n")
    argv = [*scaffold, "check", str(work / "tiny"), "--exit-zero"]
    try:
        no_cache, first = measure_alternating(
            [
                (f"scaffold check --no-cache ({count:,} tiny files)", [*argv, "--no-cache"]),
                ("scaffold check (first run: parse and write the cache)", argv),
            ],
            repeat=repeat,
            before_each=lambda: shutil.rmtree(work / ".scaffold_cache", ignore_errors=True),
        )
        warm = measure("scaffold check (warm)", argv, repeat=repeat)
        in_place = caches_in_place(scaffold, work, "tiny", repeat, f"{count:,} tiny files")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _table(
        f"Many tiny files ({count:,})",
        [
            _row(no_cache),
            _row(first, no_cache, f"target <= 1.10x --no-cache; {_paired(first, no_cache)}"),
            _row(warm, no_cache, "target (100,000 files) <= 3 s"),
            *_in_place_rows(in_place),
        ],
    )


def bench_cycle(count: int, repeat: int) -> None:
    """One import cycle through `count` modules (each imports the next), against the parse
    floor of the same tree: the shortest-loop search and the cycle advice must stay about
    linear (issue 19: 5,000 modules took 41 s when they were quadratic)."""
    scaffold = _scaffold()
    work = Path(tempfile.mkdtemp(prefix="scaffold-bench-cycle-"))
    (work / "pyproject.toml").write_text('[project]\nname = "ring"\nversion = "0"\n')
    package = work / "ring"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for index in range(count):
        following = (index + 1) % count
        (package / f"m{index}.py").write_text(f"import ring.m{following}\n\nVALUE = {index}\n")
    floor_argv = [sys.executable, str(REPO / "benchmarks" / "floor.py"), str(package)]
    try:
        floor, check = measure_alternating(
            [
                (
                    f"parse floor ({count:,} modules, {JOBS} processes)",
                    [*floor_argv, "-j", str(JOBS)],
                ),
                (
                    f"scaffold check --no-cache (one {count:,}-module import cycle)",
                    [*scaffold, "check", str(package), "--exit-zero", "--no-cache"],
                ),
            ],
            repeat=repeat,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _table(
        f"One long import cycle ({count:,} modules)",
        [_row(floor), _row(check, floor, "IMP002 reports it once; about linear in the cycle")],
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--only",
        default="startup,new,check",
        help="comma-separated sections: startup, new, check; and, not run by default (slow):"
        " tiny, cycle (one 5,000-module import cycle), environment (a 10,000-file pip"
        " environment), curve (1x/4x/16x, plotted)",
    )
    parser.add_argument("--tiny-files", type=int, default=100_000, help="files for `tiny`")
    parser.add_argument("--cycle-modules", type=int, default=5_000, help="modules for `cycle`")
    parser.add_argument("--repeat", type=int, default=3, help="runs per check figure")
    parser.add_argument("--pylint-timeout", type=float, default=400.0)
    args = parser.parse_args()
    print(
        f"## scaffold benchmarks, {time.strftime('%Y-%m-%d')}, {platform.platform()}, "
        f"Python {platform.python_version()}, {JOBS} cores"
    )
    sections = set(args.only.split(","))
    _compile_scaffold()
    if "startup" in sections:
        bench_startup()
    if "new" in sections:
        bench_new()
    if "check" in sections:
        bench_check(args.pylint_timeout, args.repeat)
    if "tiny" in sections:
        bench_tiny(args.tiny_files, args.repeat)
    if "cycle" in sections:
        bench_cycle(args.cycle_modules, args.repeat)
    if "environment" in sections:
        bench_environment(_scaffold(), args.repeat, JOBS)
    if "curve" in sections:
        bench_curve(_scaffold(), args.repeat)


if __name__ == "__main__":
    main()
