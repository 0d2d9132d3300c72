"""The trees benchmarks run on: a pinned real tree from the package index, a pinned
environment of 10,000+ files, and synthetic trees of any multiple of a base size with the
same shape."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = [
    "ENVIRONMENT",
    "SYMPY_VERSION",
    "clear_caches",
    "environment_tree",
    "own_project",
    "real_tree",
    "small_tree",
    "synthetic_tree",
]

SYMPY_VERSION = "1.14.0"
CACHE = Path(__file__).resolve().parent / ".trees"
# A scientific and web environment as `pip install django sympy numpy scipy pandas matplotlib
# networkx scikit-learn statsmodels astropy sqlalchemy dask` resolved it (Python 3.11,
# Linux x86-64), every distribution pinned: 10,577 .py files.
ENVIRONMENT = (
    "asgiref==3.13.0",
    "astropy==8.0.2",
    "astropy-iers-data==0.2026.11.2.0.34.55",
    "click==8.5.1",
    "cloudpickle==3.1.3",
    "contourpy==1.3.3",
    "cycler==0.12.1",
    "dask==2026.8.0",
    "Django==5.2.19",
    "fonttools==4.68.0",
    "formulaic==1.2.2",
    "fsspec==2026.9.0",
    "importlib_metadata==10.2.0",
    "interface_meta==2.0.1",
    "joblib==1.6.0",
    "kiwisolver==1.5.1",
    "lazy-importer==0.1.0",
    "locket==1.0.0",
    "matplotlib==3.11.2",
    "mpmath==1.3.0",
    "narwhals==2.29.0",
    "networkx==3.6.1",
    "numpy==2.4.6",
    "packaging==26.4",
    "pandas==3.1.1",
    "partd==1.4.2",
    "patsy==1.0.3",
    "pillow==13.0.0",
    "pyerfa==2.0.1.5",
    "pyparsing==3.3.3",
    "python-dateutil==4.0.0",
    "PyYAML==6.0.4",
    "scikit-learn==1.9.1",
    "scipy==1.17.1",
    "SQLAlchemy==2.1.9",
    "sqlparse==0.6.1",
    "statsmodels==0.15.0",
    "sympy==1.14.0",
    "threadpoolctl==3.8.0",
    "toolz==1.2.0",
    "typing_extensions==4.16.0",
    "tzdata==2026.6",
    "wrapt==2.5.2",
    "zipp==4.1.2",
)


def environment_tree() -> Path:
    """`pip install --target` of ENVIRONMENT (no dependency resolution: all are pinned) into
    benchmarks/.trees/environment, once; the whole folder is what the benchmark checks."""
    target = CACHE / "environment"
    marker = target / ".complete"
    wanted = "\n".join(ENVIRONMENT)
    if marker.is_file() and marker.read_text() == wanted:
        return own_project(target)
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile"),
            *("--target", str(target), *ENVIRONMENT),
        ],
        check=True,
    )
    marker.write_text(wanted)
    return own_project(target)


def own_project(root: Path) -> Path:
    """Make `root` a project of its own, as the tree is in its own checkout: without a
    pyproject.toml of its own, the nearest one above it would be this repository's, whose
    contracts and settings would apply and whose folder would receive the cache."""
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        pyproject.write_text("# A benchmark tree: its own project, with default settings.\n")
    return root


def clear_caches(root: Path) -> None:
    """Remove the scaffold cache a check of `root` writes. It lives at the project root
    (the nearest pyproject.toml at or above `root`)."""
    for folder in (root, *root.parents):
        shutil.rmtree(folder / ".scaffold_cache", ignore_errors=True)
        if (folder / "pyproject.toml").is_file():
            break


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
    return own_project(target)


def _module_source(
    rng: random.Random, pkg: str, index: int, siblings: int, functions: int = 12
) -> str:
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
    classes = max(1, functions // 3)
    names = [f"func{index}_{n}" for n in range(functions)]
    names += [f"Class{index}_{n}" for n in range(classes)]
    lines.append(f"__all__ = {sorted(names)!r}")
    lines.append("")
    for n in range(functions):
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
    for n in range(classes):
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


def synthetic_tree(scale: int, *, base_files: int = 400, functions: int = 12) -> Path:
    """A tree of `scale * base_files` modules in packages of 20, deterministic per scale;
    each module defines `functions` functions and a third as many classes (12: ~200 lines)."""
    size = "" if (base_files, functions) == (400, 12) else f"{base_files}-{functions}f-"
    root = CACHE / f"synthetic-{size}{scale}x"
    marker = root / ".complete"
    if marker.is_file():
        return own_project(root)
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
            source = _module_source(rng, f"pkg{p}", i, per_package, functions)
            (pkg / f"mod{i}.py").write_text(source)
    marker.write_text("")
    return own_project(root)


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
    return own_project(root)
