"""The Neovim setup docs/editors.md gives, run in a real headless Neovim against the server."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.server.lsp_support import write_tree

_REPO = Path(__file__).resolve().parents[2]
_DRIVER = Path(__file__).with_name("neovim_drive.lua")
_NVIM = shutil.which("nvim")

pytestmark = pytest.mark.skipif(
    _NVIM is None, reason="nvim is not on PATH (install Neovim 0.7+ to try the editor setup)"
)

# `present` repeated in __all__ is EXP003 (safe fix), `missing` is EXP001; a and b close a
# cycle that fails at import time (IMP002 at a.py, IMP003 at b.py).
_PROJECT = {
    "pyproject.toml": '[project]\nname = "proj"\nversion = "0"\n',
    "pkg/__init__.py": '"""Exports."""\n\nfrom pkg.a import present\n\n'
    '__all__ = ["present", "present", "missing"]\n',
    "pkg/a.py": '"""Half of a cycle."""\n\nfrom pkg.b import helper\n\n'
    '__all__ = ["present"]\n\npresent = helper()\n',
    "pkg/b.py": '"""The other half."""\n\nfrom pkg.a import present\n\n'
    '__all__ = ["helper"]\n\n\ndef helper() -> int:\n    return 1\n\n\nVALUE = present\n',
}


def _documented_setup() -> str:
    """The Lua block of docs/editors.md's Neovim section that starts the server from an
    autocommand (the one Neovim 0.7 and later can run)."""
    text = (_REPO / "docs" / "editors.md").read_text(encoding="utf-8")
    section = text[text.index("## Neovim") : text.index("## Helix")]
    blocks: list[str] = re.findall(r"```lua\n(.*?)```", section, flags=re.DOTALL)
    return next(block for block in blocks if "nvim_create_autocmd" in block)


def _scaffold_on_path(bin_dir: Path) -> Path:
    """A `scaffold` command running this interpreter's scaffold, as the docs' `cmd` expects."""
    bin_dir.mkdir()
    shim = bin_dir / "scaffold"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m scaffold "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    return bin_dir


def test_documented_neovim_setup_shows_diagnostics_and_applies_fixes(tmp_path: Path) -> None:
    project = write_tree(tmp_path / "proj", _PROJECT)
    config = tmp_path / "init.lua"
    config.write_text("vim.cmd('filetype on')\n" + _documented_setup(), encoding="utf-8")
    out = tmp_path / "out.txt"
    bin_dir = _scaffold_on_path(tmp_path / "bin")
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(_REPO), os.environ.get("PYTHONPATH")])),
        "SCAFFOLD_NVIM_OUT": str(out),
        "SCAFFOLD_NVIM_EXPECT": "4",
        # Neovim's own state (LSP log, shada) stays in the test's directory.
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
        "XDG_STATE_HOME": str(tmp_path / "xdg"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
    }
    assert _NVIM is not None
    command = [_NVIM, "--headless", "-i", "NONE", "-u", str(config), "pkg/__init__.py"]
    command += ["-c", f"luafile {_DRIVER}"]
    # Patience for a hung editor only: the driver itself waits for each state it needs.
    subprocess.run(
        command,
        cwd=project,
        env=env,
        check=True,
        timeout=180,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    seen = out.read_text(encoding="utf-8").splitlines()
    assert [line for line in seen if not line.startswith("offered ")] == [
        "diagnostics arrived true",
        "diag pkg/__init__.py:5:23 EXP003",
        "diag pkg/__init__.py:5:34 EXP001",
        "diag pkg/a.py:3:1 IMP002",
        "diag pkg/b.py:3:1 IMP003",
        'after fix all: __all__ = ["present", "missing"]',
        "republished true",
        'after noqa: __all__ = ["present", "missing"]  # noqa: EXP001',
        "buffer clean true",
    ]
    assert "offered Add `# noqa: EXP001` to this line" in seen
