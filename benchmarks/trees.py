"""The trees benchmarks run on: a pinned real tree from the package index, and synthetic
trees of 1x, 2x and 4x a base size with the same shape."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["SYMPY_VERSION", "real_tree", "small_tree", "synthetic_tree"]

SYMPY_VERSION = "1.14.0"
CACHE = Path(__file__).resolve().parent / ".trees"


def real_tree(name: str = "sympy", version: str = SYMPY_VERSION) -> Path:
    """Install `name==version` (no dependencies) into benchmarks/.trees and return its root."""
    target = CACHE / f"{name}-{version}"
    package = target / name
    if not package.is_dir():
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-deps",
                "--no-compile",
                "--target",
                str(target),
                f"{name}=={version}",
            ],
            check=True,
        )
        for extra in target.iterdir():
            if extra.name != name:
                shutil.rmtree(extra) if extra.is_dir() else extra.unlink()
    return target


def _module_source(rng: random.Random, pkg: str, index: int, siblings: int) -> str:
    lines = [
        f'"""Synthetic module {index} of {pkg}."""',
        "",
        "from __future__ import annotations",
        "",
    ]
    imports = sorted({rng.randrange(siblings) for _ in range(3)} - {index})
    for other in imports:
        if rng.random() < 0.5:
            lines.append(f"from . import mod{other}")
        else:
            lines.append(f"from .mod{other} import func{other}_0")
    lines += ["import os", "import sys", ""]
    names = [f"func{index}_{n}" for n in range(12)] + [f"Class{index}_{n}" for n in range(4)]
    lines.append(f"__all__ = {sorted(names)!r}")
    lines.append("")
    for n in range(12):
        lines += [
            "",
            f"def func{index}_{n}(value: int, scale: float = 1.0) -> float:",
            f'    """Compute step {n}."""',
            "    total = 0.0",
            "    for item in range(value):",
            "        if item % 3 == 0:",
            "            total += item * scale",
            "        elif item % 5 == 0:",
            "            total -= len(os.sep) + len(sys.argv)",
            "        else:",
            "            total += abs(item - value) / (1 + scale)",
            "    return total",
        ]
    for n in range(4):
        lines += [
            "",
            "",
            f"class Class{index}_{n}:",
            f'    """A synthetic class {n}."""',
            "",
            "    def __init__(self, size: int) -> None:",
            "        self.size = size",
            "        self.items = [i * 2 for i in range(size)]",
            "",
            "    def total(self) -> int:",
            "        return sum(self.items) + self.size",
        ]
    return "\n".join(lines) + "\n"


def synthetic_tree(scale: int, *, base_files: int = 400) -> Path:
    """A tree of `scale * base_files` modules in packages of 20, deterministic per scale."""
    root = CACHE / f"synthetic-{scale}x"
    marker = root / ".complete"
    if marker.is_file():
        return root
    shutil.rmtree(root, ignore_errors=True)
    rng = random.Random(scale)
    per_package = 20
    for p in range(scale * base_files // per_package):
        pkg = root / f"pkg{p}"
        pkg.mkdir(parents=True)
        modules = [f"mod{i}" for i in range(per_package)]
        (pkg / "__init__.py").write_text(
            f'"""Synthetic package {p}."""\n\nfrom . import {", ".join(modules)}\n\n'
            f"__all__ = {sorted(modules)!r}\n"
        )
        for i in range(per_package):
            (pkg / f"mod{i}.py").write_text(_module_source(rng, f"pkg{p}", i, per_package))
    marker.write_text("")
    return root


def small_tree() -> Path:
    """A ten-file package, for start-up figures."""
    root = CACHE / "small"
    if not (root / "pkg" / "__init__.py").is_file():
        rng = random.Random(0)
        pkg = root / "pkg"
        pkg.mkdir(parents=True, exist_ok=True)
        modules = [f"mod{i}" for i in range(9)]
        (pkg / "__init__.py").write_text(
            f'"""Small."""\n\nfrom . import {", ".join(modules)}\n\n__all__ = {modules!r}\n'
        )
        for i in range(9):
            (pkg / f"mod{i}.py").write_text(_module_source(rng, "pkg", i, 9))
    return root
