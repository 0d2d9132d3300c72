"""The rule registry and the RUF022 order that EXP007 shares with ruff."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scaffold.check.rules import RULES, get_rule
from scaffold.edit import ruf022_key

TRICKY = [
    "zeta", "Alpha", "ALPHA", "alpha", "a10", "a2", "a1b", "A", "AB", "Ab", "aB", "_x", "_X",
    "__version__", "X_1", "x_1", "CONST2", "CONST10", "Class2", "Class10", "func", "_Private",
    "__all__", "B", "b", "HTTPServer", "HTTP_CODE", "x", "_", "__", "v2_10", "v2_9", "T",
]  # fmt: skip


def test_codes_are_unique_and_well_formed() -> None:
    codes = [rule.code for rule in RULES]
    assert len(codes) == len(set(codes)) == 26
    for rule in RULES:
        assert re.fullmatch(r"[A-Z]{3}\d{3}", rule.code)
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)
        assert rule.summary and rule.why and rule.docs.example and rule.docs.use_instead
        assert get_rule(rule.code.lower()) is rule


def test_explain_has_every_section() -> None:
    text = RULES[0].explain()
    for section in ("What it does", "Why is this bad?", "Example", "Use instead"):
        assert section in text


@pytest.mark.skipif(
    shutil.which("ruff") is None and not Path(sys.executable).with_name("ruff").exists(),
    reason="ruff not installed",
)
def test_exp007_sorts_exactly_like_ruff_ruf022(tmp_path: Path) -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    source = tmp_path / "mod.py"
    source.write_text(f"__all__ = {TRICKY!r}\n", encoding="utf-8")
    subprocess.run(
        [ruff, "check", "--no-cache", "--isolated", "--select", "RUF022", "--fix",
         "--unsafe-fixes", "--quiet", "--exit-zero", str(source)],
        check=True,
    )  # fmt: skip
    namespace: dict[str, object] = {}
    exec(source.read_text(encoding="utf-8"), namespace)
    assert namespace["__all__"] == sorted(TRICKY, key=ruf022_key)
