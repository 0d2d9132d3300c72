"""The guard of tests/conftest.py: what counts as a test leaving something in tests/."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import entries_below


def test_caches_and_fixture_bytecode_count_but_pytests_own_bytecode_does_not(
    tmp_path: Path,
) -> None:
    for rel in (
        "check/__pycache__/test_x.cpython-311.pyc",  # pytest's, beside a test module
        "check/fixtures/RUN001/bad/pkg/__pycache__/__init__.cpython-311.pyc",
        "check/fixtures/ARC001/bad/.scaffold_cache/check-0.bin",
        "check/golden/__pycache__/g.cpython-311.pyc",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"")
    found = entries_below(tmp_path)
    assert "check/__pycache__" not in found
    assert "check/__pycache__/test_x.cpython-311.pyc" not in found
    assert {
        "check/fixtures/RUN001/bad/pkg/__pycache__/__init__.cpython-311.pyc",
        "check/fixtures/ARC001/bad/.scaffold_cache/check-0.bin",
        "check/golden/__pycache__/g.cpython-311.pyc",
    } <= found
