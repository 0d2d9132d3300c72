"""The parse floor: `ast.parse` of every .py and .pyi file under a tree, split over N processes.

This is the irreducible work of a checker written in Python; `scaffold check` is
measured against it. Stubs count: the check parses them too (they declare what a package
exports). Usage: python benchmarks/floor.py ROOT [-j N]
"""

from __future__ import annotations

import argparse
import ast
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

__all__ = ["main", "parse_files"]


def parse_files(paths: list[str]) -> int:
    """Parse each file; return how many parsed."""
    parsed = 0
    for path in paths:
        try:
            with open(path, "rb") as handle:
                ast.parse(handle.read(), filename=path)
            parsed += 1
        except (SyntaxError, ValueError, RecursionError, MemoryError, OSError):
            pass
    return parsed


def _python_files(root: Path) -> list[str]:
    found = []
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "__pycache__"]
        found += [os.path.join(folder, f) for f in filenames if f.endswith((".py", ".pyi"))]
    return sorted(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    files = _python_files(args.root)
    # Largest first, dealt round-robin: the same balance a good checker would reach.
    files.sort(key=lambda p: os.path.getsize(p), reverse=True)
    chunks = [files[i :: args.jobs] for i in range(args.jobs)]
    if args.jobs == 1:
        parsed = parse_files(files)
    else:
        with ProcessPoolExecutor(args.jobs) as pool:
            parsed = sum(pool.map(parse_files, chunks))
    print(f"{parsed} of {len(files)} files parsed")


if __name__ == "__main__":
    main()
