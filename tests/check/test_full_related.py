"""The `full` format shows a finding's related locations (a contract's import chains, a cycle's
imports and the one to move) under its snippet; `concise` stays one line per finding."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from scaffold.check.model import CheckReport, Diagnostic, Related, Severity
from scaffold.check.output.context import RenderContext
from scaffold.check.output.full import render_full
from scaffold.check.output.text import render_text
from scaffold.cli import main

from .check_support import FIXTURES

SHOP = FIXTURES / "ARC001" / "bad"  # "UI above domain", one chain of two imports


def test_full_shows_each_step_of_a_broken_contracts_chain(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(SHOP)
    main(["check", ".", "--no-cache", "--format", "full", "--select", "ARC"])
    out = capsys.readouterr().out
    finding = out[out.index("shop/domain/order.py:3:1: ARC001") :].split("\n\n")[0]
    assert finding.splitlines()[-3:] == [
        "  |",
        "  = shop/domain/order.py:3:1: 'shop.domain.order' imports 'shop.helpers'",
        "  = shop/helpers.py:3:1: 'shop.helpers' imports 'shop.ui'",
    ]
    main(["check", ".", "--no-cache", "--format", "concise", "--select", "ARC"])
    concise = capsys.readouterr().out
    assert " = " not in concise and len(concise.splitlines()) == 3 + 1  # and the summary


def _report(root: Path, related: int) -> CheckReport:
    (root / "m.py").write_text("".join(f"import os  # {n}\n" for n in range(1, 13)))
    steps = tuple(Related("m.py", n, 1, f"step {n}") for n in range(1, related + 1))
    finding = Diagnostic("IMP002", "import-cycle", Severity.WARNING, "loop", "m.py", 11, 1, 11, 10)
    return CheckReport((dataclasses.replace(finding, related=steps),), 1, str(root))


def test_related_locations_are_capped_with_a_count_and_align_with_the_gutter(
    tmp_path: Path,
) -> None:
    report = _report(tmp_path, 14)
    lines = (tmp_path / "m.py").read_text().splitlines()
    context = RenderContext(relative_to=tmp_path.parent, source=lambda path: lines)
    out = render_full(report, context).splitlines()
    at = out.index("   |", 2)  # the snippet's closing gutter: lines 9-12 are two digits wide
    shown = out[at + 1 : out.index("", at)]
    assert shown[0] == f"   = {tmp_path.name}/m.py:1:1: step 1"
    assert len(shown) == 11
    assert shown[-1] == "   = ... and 4 more related locations (--format json lists all)"
    assert all(" = " not in line for line in render_text(report, context).splitlines())
