"""The VS Code extension in editors/vscode, installed in code-server (VS Code's workbench in
a browser) and driven in headless Chromium against the server."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.lsp_support import write_tree
from tests.server.test_server_neovim import _PROJECT

_REPO = Path(__file__).resolve().parents[2]
_EXTENSION = _REPO / "editors" / "vscode"
_DRIVER = Path(__file__).with_name("vscode_drive.js")
_TOOLS = {name: shutil.which(name) for name in ("node", "npm", "vsce", "code-server")}
_CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
_MISSING = [name for name, path in {**_TOOLS, "chromium": _CHROMIUM}.items() if path is None]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(_MISSING),
        reason=f"{', '.join(_MISSING)} not on PATH (docs/editors.md says how to try VS Code)",
    ),
]

# Patience for a hung tool only: each step ends as soon as it is done.
_PATIENCE = 600


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        check=False,
        timeout=_PATIENCE,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _node_path(env: dict[str, str]) -> str:
    """Where node finds playwright-core: NODE_PATH as given, then npm's global modules."""
    global_root = _run([str(_TOOLS["npm"]), "root", "-g"], _REPO, env).strip()
    return os.pathsep.join(filter(None, [env.get("NODE_PATH"), global_root]))


def _package(work: Path, env: dict[str, str]) -> Path:
    """The extension built as users build it: npm install, then vsce package."""
    source = work / "extension"
    shutil.copytree(_EXTENSION, source, ignore=shutil.ignore_patterns("node_modules", "*.vsix"))
    _run([str(_TOOLS["npm"]), "install", "--no-audit", "--no-fund"], source, env)
    vsix = work / "scaffold-check.vsix"
    _run([str(_TOOLS["vsce"]), "package", "--skip-license", "-o", str(vsix)], source, env)
    return vsix


def _scaffold_command(bin_dir: Path) -> Path:
    """An absolute `scaffold` running this checkout: VS Code's extension host takes PATH from
    a login shell, not from the process that started it, so the setting names the file."""
    bin_dir.mkdir()
    shim = bin_dir / "scaffold"
    shim.write_text(
        f'#!/bin/sh\nPYTHONPATH="{_REPO}" exec "{sys.executable}" -m scaffold "$@"\n',
        encoding="utf-8",
    )
    shim.chmod(0o755)
    return shim


@pytest.fixture
def code_server(tmp_path: Path) -> Iterator[tuple[str, Path, dict[str, str]]]:
    """code-server on a free loopback port with the packaged extension installed; yields its
    URL, the project it opens and the environment to drive it with."""
    # code-server's own config and state stay in the test's directory.
    xdg = str(tmp_path / "xdg")
    env = {**os.environ, "XDG_CONFIG_HOME": xdg, "XDG_DATA_HOME": xdg, "XDG_CACHE_HOME": xdg}
    vsix = _package(tmp_path, env)
    user = tmp_path / "user"
    dirs = ["--user-data-dir", str(user), "--extensions-dir", str(tmp_path / "extensions")]
    server = str(_TOOLS["code-server"])
    _run([server, *dirs, "--install-extension", str(vsix)], tmp_path, env)
    settings = user / "User" / "settings.json"
    shim = _scaffold_command(tmp_path / "bin")
    settings.parent.mkdir(parents=True, exist_ok=True)
    # The LSP trace lands in the user data's logs, for reading when the test fails.
    settings.write_text(
        f'{{"scaffold.command": ["{shim}", "server"], "workbench.startupEditor": "none",'
        ' "scaffold.trace.server": "verbose", "telemetry.telemetryLevel": "off"}\n',
        encoding="utf-8",
    )
    project = write_tree(tmp_path / "proj", _PROJECT)
    config = tmp_path / "code-server.yaml"
    config.write_text("auth: none\nbind-addr: 127.0.0.1:0\n", encoding="utf-8")
    command = [server, "--config", str(config), *dirs, "--disable-telemetry"]
    command += ["--disable-update-check", "--disable-workspace-trust", str(project)]
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        yield _listening_url(process), project, env
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=_PATIENCE)


def _listening_url(process: subprocess.Popen[str]) -> str:
    """The URL code-server prints once it listens (port 0 asked it to pick a free one)."""
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if "HTTP server listening on " in line:
            return line.split("HTTP server listening on ")[1].strip().rstrip("/")
    raise AssertionError("code-server stopped before listening:\n" + "".join(seen))


def test_vscode_extension_shows_diagnostics_and_applies_fixes(
    code_server: tuple[str, Path, dict[str, str]], tmp_path: Path
) -> None:
    url, project, env = code_server
    env = {**env, "NODE_PATH": _node_path(env)}
    env["SCAFFOLD_VSCODE_SCREENSHOT"] = str(tmp_path / "failure.png")
    command = [str(_TOOLS["node"]), str(_DRIVER), url, str(project), str(_CHROMIUM)]
    seen = _run(command, project, env).splitlines()
    assert seen == [
        "problem 'missing' is listed in __all__ but not defined scaffold EXP001 [Ln 5, Col 34]",
        "problem 'present' is listed in __all__ more than once scaffold EXP003 [Ln 5, Col 23]",
        "problem cannot import name 'present' from partially initialized module 'pkg.a' "
        "(import loop pkg.a -> pkg.b -> pkg.a): it is bound only later in 'pkg.a' "
        "scaffold IMP003 [Ln 3, Col 1]",
        "problem import cycle: pkg.a -> pkg.b -> pkg.a scaffold IMP002 [Ln 3, Col 1]",
        'after fix all: __all__ = ["present", "missing"]',
        "republished true",
        "offered Add `# noqa: EXP001` to this line",
        'after noqa: __all__ = ["present", "missing"]  # noqa: EXP001',
        "file clean true",
    ]
    text = (project / "pkg" / "__init__.py").read_text(encoding="utf-8")
    assert text.endswith('__all__ = ["present", "missing"]  # noqa: EXP001\n')
