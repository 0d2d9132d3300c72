"""Shared fixtures: isolate every test from the user's Copier and scaffold settings."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_settings(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A user's Copier `trust:` list or defaults would change what templates do.
    home = tmp_path_factory.mktemp("home")
    settings = home / "copier-settings.yml"
    settings.write_text("{}\n", encoding="utf-8")
    monkeypatch.setenv("COPIER_SETTINGS_PATH", str(settings))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("SCAFFOLD_DEBUG", raising=False)


def tree_snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` with its bytes, to prove a failed run changed nothing."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    } | {
        path.relative_to(root).as_posix() + "/": b""
        for path in sorted(root.rglob("*"))
        if path.is_dir()
    }
