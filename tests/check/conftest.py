"""pytest setup for the check tests: fixture trees are data, never collected."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from .check_support import write_tree

collect_ignore_glob = ["fixtures/*", "golden/*"]


@pytest.fixture
def tree(tmp_path: Path) -> Callable[[Mapping[str, str | bytes]], Path]:
    """Build a tree under tmp_path: `tree({"pkg/__init__.py": ""})`."""

    def build(files: Mapping[str, str | bytes]) -> Path:
        return write_tree(tmp_path / "project", files)

    return build
