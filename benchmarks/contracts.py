"""Architecture contracts side by side: scaffold against import-linter, and what contracts
add to a check, on real trees from the package index (sympy, networkx). Also `scaffold
graph` against the check it reads.

    python -m pip install ".[bench,test]" && python benchmarks/contracts.py [--repeat 5]

Each row runs two commands in turn (A B A B ...) in fresh processes and takes the ratio of
their CPU time (user + system of the process and its children) pair by pair; the median
ratio is the figure. CPU time, not wall time, so that a busy machine does not decide it.
Both tools get the same contracts, every import counted (import-linter's default: in
functions and under TYPE_CHECKING too). Nothing here is a test; the differential test of
the verdicts is tests/check/test_contracts_oracle.py.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# Run as `python benchmarks/contracts.py`: this folder is sys.path[0].
from trees import SYMPY_VERSION, real_tree

__all__ = ["CONTRACTS", "main"]

NETWORKX_VERSION = "3.4.2"
# Five contracts per tree, one of each kind and a second forbidden one; most are broken,
# so both tools also find and report chains (on sympy, 1,391 findings instead of 30).
CONTRACTS: dict[str, list[dict[str, Any]]] = {
    "sympy": [
        {
            "name": "physics above the core",
            "type": "layers",
            "layers": [
                "sympy.physics",
                "sympy.solvers",
                "sympy.simplify",
                "sympy.functions",
                "sympy.core",
            ],
        },
        {
            "name": "core never draws",
            "type": "forbidden",
            "source-modules": ["sympy.core"],
            "forbidden-modules": ["sympy.plotting", "sympy.printing.preview"],
        },
        {
            "name": "printing never solves",
            "type": "forbidden",
            "source-modules": ["sympy.printing"],
            "forbidden-modules": ["sympy.solvers"],
        },
        {
            "name": "physics subpackages stand alone",
            "type": "independence",
            "modules": ["sympy.physics.*"],
        },
        {"name": "no sibling loops", "type": "acyclic-siblings", "ancestors": ["sympy"]},
    ],
    "networkx": [
        {
            "name": "drawing above algorithms above classes",
            "type": "layers",
            "layers": ["networkx.drawing", "networkx.algorithms", "networkx.classes"],
        },
        {
            "name": "classes never draw",
            "type": "forbidden",
            "source-modules": ["networkx.classes"],
            "forbidden-modules": ["networkx.drawing"],
        },
        {
            "name": "utils stay below algorithms",
            "type": "forbidden",
            "source-modules": ["networkx.utils"],
            "forbidden-modules": ["networkx.algorithms"],
        },
        {
            "name": "readers and generators apart",
            "type": "independence",
            "modules": ["networkx.readwrite", "networkx.generators"],
        },
        {"name": "no sibling loops", "type": "acyclic-siblings", "ancestors": ["networkx"]},
    ],
}
# Five contracts that hold on sympy, one of each kind: what contracts add to a warm check
# when the report is small (the broken ones above add 1,391 findings to locate and print).
KEPT_CONTRACTS: dict[str, list[dict[str, Any]]] = {
    "sympy": [
        {
            "name": "stats above utilities",
            "type": "layers",
            "layers": ["sympy.stats", "sympy.utilities"],
        },
        {
            "name": "external never reaches stats or crypto",
            "type": "forbidden",
            "source-modules": ["sympy.external"],
            "forbidden-modules": ["sympy.stats", "sympy.crypto"],
        },
        {
            "name": "dispatch never reaches physics",
            "type": "forbidden",
            "source-modules": ["sympy.multipledispatch"],
            "forbidden-modules": ["sympy.physics"],
        },
        {
            "name": "crypto and holonomic apart",
            "type": "independence",
            "modules": ["sympy.crypto", "sympy.holonomic"],
        },
        {
            "name": "no loops in dispatch",
            "type": "acyclic-siblings",
            "ancestors": ["sympy.multipledispatch"],
        },
    ],
}
VERSIONS = {"sympy": SYMPY_VERSION, "networkx": NETWORKX_VERSION}


def _toml_value(value: object) -> str:
    return json.dumps(value)  # a JSON string, list or boolean is TOML too


def _pyproject(package: str, contracts: Sequence[dict[str, Any]]) -> str:
    """Both tools' tables in one pyproject.toml: scaffold's `[[...contracts]]` counting
    every import as import-linter does, and import-linter's own."""
    lines = [f'[project]\nname = "{package}-bench"\nversion = "0"\n']
    for contract in contracts:
        lines.append("[[tool.scaffold.check.contracts]]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in contract.items()]
        lines += ["include-type-checking = true", "include-function-imports = true", ""]
    lines.append(f'[tool.importlinter]\nroot_packages = ["{package}"]\n')
    for index, contract in enumerate(contracts):
        lines.append("[[tool.importlinter.contracts]]")
        lines.append(f'id = "c{index}"')
        for key, value in contract.items():
            key = key.replace("-", "_")
            if key == "type":
                value = str(value).replace("-", "_")
            lines.append(f"{key} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


def _cpu(command: Sequence[str], cwd: Path) -> float:
    """CPU seconds of one fresh run of `command` and everything it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _pairs(
    a: Sequence[str], b: Sequence[str], cwd_a: Path, cwd_b: Path, repeat: int
) -> tuple[float, float, float]:
    """Median CPU seconds of A and of B, and the median of the pairwise ratios A/B."""
    times_a: list[float] = []
    times_b: list[float] = []
    for _ in range(repeat):
        times_a.append(_cpu(a, cwd_a))
        times_b.append(_cpu(b, cwd_b))
    ratios = [x / y for x, y in zip(times_a, times_b, strict=True) if y > 0]
    return statistics.median(times_a), statistics.median(times_b), statistics.median(ratios)


def _tool(name: str) -> str:
    script = Path(sys.executable).with_name(name)
    found = str(script) if script.is_file() else shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} is not installed: python -m pip install '.[bench,test]'")
    return found


def _copy(source: Path, target: Path, pyproject: str | None) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".scaffold_cache"))
    if pyproject is not None:
        (target / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return target


def bench_tree(
    package: str, source: Path, work: Path, repeat: int
) -> list[tuple[str, str, str, str]]:
    """The rows of one tree: (what, A's CPU s, B's CPU s, A/B)."""
    scaffold, lint = _tool("scaffold"), _tool("lint-imports")
    pyproject = _pyproject(package, CONTRACTS[package])
    with_contracts = _copy(source, work / f"{package}-contracts", pyproject)
    without = _copy(source, work / f"{package}-plain", f'[project]\nname = "{package}-bench"\n')
    check = [scaffold, "check", ".", "--quiet"]
    rows: list[tuple[str, str, str, str]] = []

    def row(what: str, a: list[str], b: list[str], cwd_a: Path, cwd_b: Path) -> None:
        # A warm run costs tens of milliseconds: a few of them off would move the ratio by
        # 0.1, so warm rows take four times the pairs (still a few seconds) and 3 decimals.
        warm = "warm" in what
        cpu_a, cpu_b, ratio = _pairs(a, b, cwd_a, cwd_b, repeat * 4 if warm else repeat)
        digits = 3 if warm else 2
        rows.append((what, f"{cpu_a:.{digits}f}", f"{cpu_b:.{digits}f}", f"{ratio:.2f}"))

    kept = KEPT_CONTRACTS.get(package)
    holding = (
        None if kept is None else _copy(source, work / f"{package}-kept", _pyproject(package, kept))
    )
    for cwd in (with_contracts, without, holding):  # warm the caches (and import-linter's)
        if cwd is not None:
            _cpu(check, cwd)
    _cpu([lint], with_contracts)
    if holding is not None:
        row("check warm: 5 kept contracts / none", check, check, holding, without)
    row("check warm: 5 broken contracts / none", check, check, with_contracts, without)
    cold = [*check, "--no-cache"]
    row("check cold: 5 contracts / none", cold, cold, with_contracts, without)
    arc = [scaffold, "check", ".", "--select", "ARC", "--quiet"]
    row("contracts warm: scaffold / lint-imports", arc, [lint], with_contracts, with_contracts)
    row(
        "contracts cold: scaffold / lint-imports",
        [*arc, "--no-cache"],
        [lint, "--no-cache"],
        with_contracts,
        with_contracts,
    )
    graph = [scaffold, "graph", ".", "--format", "json"]
    _cpu(graph, without)  # the first graph after the check draws and keeps its drawing
    row("graph warm (json) / check warm", graph, check, without, without)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=5, help="pairs per row (default 5; warm rows 4x as many)"
    )
    parser.add_argument("--only", default="sympy,networkx", help="trees, comma-separated")
    parser.add_argument(
        "--tree", action="append", default=[], metavar="NAME=PATH", help="use this copy"
    )
    args = parser.parse_args(argv)
    given = dict(item.split("=", 1) for item in args.tree)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; CPU seconds, medians")
    print(f"{'tree':9} {'what':42} {'A':>6} {'B':>6} {'A/B':>5}")
    with tempfile.TemporaryDirectory(prefix="scaffold-contracts-") as folder:
        for package in args.only.split(","):
            source = Path(given[package]) if package in given else None
            if source is None:
                source = real_tree(package, VERSIONS[package])
            for what, a, b, ratio in bench_tree(package, source, Path(folder), args.repeat):
                print(f"{package:9} {what:42} {a:>6} {b:>6} {ratio:>5}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
