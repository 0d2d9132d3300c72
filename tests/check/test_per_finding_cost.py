"""What a warm run pays per finding: a report of many findings in few files joins, relates and
reads each file once, whatever the number of findings and related locations there."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from scaffold.check import locations
from scaffold.check.locations import SourceLines, locate
from scaffold.check.model import CheckReport, Diagnostic, Related, Severity
from scaffold.check.output import context as output_context
from scaffold.check.output.context import RenderContext
from scaffold.check.output.text import render_text

FILES = ("pkg/a.py", "pkg/b.py", "pkg/c.py")


def _report(root: Path, findings: int = 300) -> CheckReport:
    for name in FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x = 'é'\n" + "    import pkg.b\n" * 5)
    chain = tuple(Related(name, 2, 5, "imports") for name in FILES)
    diagnostics = tuple(
        Diagnostic("ARC001", "n", Severity.ERROR, f"m{i}", FILES[i % 3], 2, 5, 2, 9, related=chain)
        for i in range(findings)
    )
    return CheckReport(diagnostics, len(FILES), str(root))


def test_locate_joins_each_path_and_reads_each_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = _report(tmp_path)
    joined: Counter[str] = Counter()
    join = os.path.join

    def counted(first: str, *rest: str) -> str:
        if first == report.root:
            joined[rest[0]] += 1
        return join(first, *rest)

    lines = SourceLines()
    read: Counter[str] = Counter()
    read_bytes = locations._read_bytes
    monkeypatch.setattr(locations, "_read_bytes", lambda p: read.update([p]) or read_bytes(p))
    monkeypatch.setattr(os.path, "join", counted)
    located = locate(report, tmp_path, lines)
    monkeypatch.undo()
    assert joined == Counter(FILES)
    assert sorted(read.values()) == [1, 1, 1]
    # The columns are the code points' (the finding's line is ASCII: they stay).
    assert {(d.column, d.related[0].column) for d in located.diagnostics} == {(5, 5)}


def test_each_shown_path_is_made_relative_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = _report(tmp_path)
    output_context._shown.cache_clear()
    output_context._below.cache_clear()
    made: Counter[str] = Counter()
    relpath = os.path.relpath

    def counted(path: str, start: str | Path | None = None) -> str:
        made[path] += 1
        return relpath(path, start)

    monkeypatch.setattr(os.path, "relpath", counted)
    text = render_text(report, RenderContext(relative_to=tmp_path.parent))
    monkeypatch.undo()
    # The root below the shown-from folder: made relative once, its files joined to it.
    assert dict(made) == {str(tmp_path): 1}
    first = text.splitlines()[0]
    assert first == f"{tmp_path.name}/pkg/a.py:2:5: ARC001 m0"
