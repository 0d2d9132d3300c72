"""Random `__all__` and star-import trees: EXP001 must agree with `from module import *`."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .check_support import check, run_probe, write_tree

COUNT = 3

# For each module, in a fresh interpreter: import it (a failure there belongs to another
# module's star import), then `from p.mI import *`; prints the ones where only the latter fails.
PROBE = """
import json, subprocess, sys
failed, broken = [], []
for name in sys.argv[1:]:
    code = (f"import {name}\\ntry:\\n    exec('from {name} import *')\\n"
            "except AttributeError:\\n    raise SystemExit(3)")
    status = subprocess.run([sys.executable, "-c", code], capture_output=True).returncode
    if status == 3:
        failed.append(name)
    elif status:
        broken.append(name)
print(json.dumps([failed, broken]))
"""


@st.composite
def package(draw: st.DrawFn) -> dict[str, str]:
    """Modules m0..m2; mI may star-import or import from mJ for J > I, so no loops."""
    files = {"p/__init__.py": ""}
    for i in range(COUNT):
        lines = [f"A{i} = 1"]
        later = list(range(i + 1, COUNT))
        options = [f"B{i} = 2", f"if True:\n    C{i} = 3", "_hidden = 4"]
        for j in later:
            options += [f"from p.m{j} import *", f"from p.m{j} import A{j}", f"from p import m{j}"]
        lines += draw(st.lists(st.sampled_from(options), max_size=4))
        pool = [f"A{k}" for k in range(COUNT)] + [f"B{i}", f"C{i}", "MISSING", "_hidden"]
        if draw(st.booleans()):
            names = draw(st.lists(st.sampled_from(pool), max_size=4, unique=True))
            lines.append(f"__all__ = {names!r}")
            if later and f"from p import m{later[0]}" in lines and draw(st.booleans()):
                lines.append(f"__all__ += m{later[0]}.__all__")
        files[f"p/m{i}.py"] = "\n".join(lines) + "\n"
    return files


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(package())
def test_exp001_matches_star_import(files: dict[str, str]) -> None:
    root = Path(tempfile.mkdtemp(prefix="scaffold-star-"))
    try:
        write_tree(root, files)
        names = [f"p.m{i}" for i in range(COUNT)]
        failed, broken = map(set, run_probe(root, PROBE, names))
        report = check(root)
        reported = {
            "p." + d.path.removeprefix("p/").removesuffix(".py")
            for d in report.diagnostics
            if d.code == "EXP001"
        }
        # A module that cannot even be imported says nothing about its own __all__.
        assert reported - broken == failed
    finally:
        shutil.rmtree(root, ignore_errors=True)
