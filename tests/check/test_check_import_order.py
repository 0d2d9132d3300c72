"""Random import loops: IMP003 must fire exactly when the real interpreter fails to import."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .check_support import check, run_probe, write_tree

MODULES = ["m0", "m1", "m2"]

# Imports every module in its own fresh interpreter; prints the ones that raised.
PROBE = """
import json, subprocess, sys
failed = []
for name in sys.argv[1:]:
    code = subprocess.run([sys.executable, "-c", "import " + name]).returncode
    if code:
        failed.append(name)
print(json.dumps(failed))
"""


@st.composite
def package(draw: st.DrawFn) -> dict[str, str]:
    """A package p whose modules import each other (and p) in a random order."""
    files = {"p/__init__.py": ""}
    init_lines: list[str] = []
    for index, module in enumerate(MODULES):
        lines: list[str] = []
        for step in range(draw(st.integers(1, 4))):
            other = draw(st.sampled_from(MODULES))
            oi = MODULES.index(other)
            k = draw(st.integers(0, 1))
            lines.append(
                draw(
                    st.sampled_from(
                        [
                            f"from p.{other} import N{oi}_{k}",
                            f"from p import {other}",
                            f"import p.{other}",
                            f"N{index}_{step % 2} = {step}",
                            f"X{step} = p.{other}.N{oi}_{k} if False else 0",
                            f"class C{step}: pass",
                            f"import p.{other} as a{oi}\nY{step} = a{oi}.N{oi}_{k}",
                            f"from p.{other} import *",
                            f"from p import P{k}",
                            f"Z{step} = [p.{other}.N{oi}_{k} for _ in ()]",
                        ]
                    )
                )
            )
            if lines[-1].startswith("X") and "import p." + other not in "\n".join(lines):
                lines[-1] = f"import p.{other}\n" + f"X{step} = p.{other}.N{oi}_{k}"
        lines += [f"N{index}_0 = 0", f"N{index}_1 = 1"]
        files[f"p/{module}.py"] = "\n".join(lines) + "\n"
        if draw(st.booleans()):
            init_lines.append(f"from p import {module}")
        if draw(st.booleans()):
            init_lines.append(f"P{index % 2} = {index}")
    init_lines += ["P0 = 0", "P1 = 1"]
    files["p/__init__.py"] = "\n".join(init_lines) + "\n"
    return files


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(package())
def test_simulation_matches_the_interpreter(files: dict[str, str]) -> None:
    root = Path(tempfile.mkdtemp(prefix="scaffold-order-"))
    try:
        write_tree(root, files)
        names = ["p", *(f"p.{m}" for m in MODULES)]
        failed = run_probe(root, PROBE, names)
        reported = [d for d in check(root).diagnostics if d.code == "IMP003"]
        assert bool(failed) == bool(reported), (failed, [d.message for d in reported])
    finally:
        shutil.rmtree(root, ignore_errors=True)
