"""`max-file-size`: a source file larger than it is not parsed but reported in a note.

A file above the limit here holds a syntax error and a name other files import: parsed, it
would be a SYN001 and its names known; skipped, the run says so in a note, reports nothing
on it, and reports nothing on what other files import from it (its names are unknown).
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from scaffold.check import CheckOptions, run_check
from scaffold.check.config import DEFAULT_MAX_FILE_SIZE, ConfigError, load_config
from scaffold.cli import main

Tree = Callable[[Mapping[str, str | bytes]], Path]

_BIG = "def broken(:\n" + "# padding\n" * 300  # about 3 kB, and not Python


def _project(tree: Tree, config: str = "max-file-size = 2000") -> Path:
    return tree(
        {
            "pyproject.toml": f'[project]\nname = "demo"\n\n[tool.scaffold.check]\n{config}\n',
            "demo/__init__.py": "",
            "demo/big.py": _BIG,
            "demo/user.py": "from demo.big import anything\n\nVALUE = anything\n",
        }
    )


def _run(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[dict[str, Any], str]:
    code = main(["check", str(root), "--format", "json", "--exit-zero", *args])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out), captured.err


def _codes(document: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted(
        (d["code"], Path(d["path"]).relative_to(Path(d["path"]).parents[1]).as_posix())
        for d in document["diagnostics"]
    )


@pytest.mark.parametrize(
    ("value", "size"),
    [
        ("2000", 2000),
        ('"2MB"', 2_000_000),
        ('"512 KiB"', 524_288),
        ('"1.5mb"', 1_500_000),
        ('"300B"', 300),
    ],
)
def test_the_size_is_read_in_bytes_or_with_a_unit(tree: Tree, value: str, size: int) -> None:
    root = tree({"pyproject.toml": f"[tool.scaffold.check]\nmax-file-size = {value}\n"})
    assert load_config(root).max_file_size == size


def test_the_default_is_a_megabyte(tree: Tree) -> None:
    assert load_config(tree({"a.py": ""})).max_file_size == DEFAULT_MAX_FILE_SIZE == 1_000_000


@pytest.mark.parametrize("value", ["0", "-5", "true", '"big"', '"2TB"', '"0.1B"', "[1]"])
def test_a_bad_size_exits_2_in_one_line(
    tree: Tree, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    root = _project(tree, f"max-file-size = {value}")
    with pytest.raises(ConfigError, match="max-file-size must be a number of bytes"):
        load_config(root)
    assert main(["check", "--no-cache", str(root)]) == 2
    err = capsys.readouterr().err
    assert "max-file-size must be a number of bytes above 0 or a size such as" in err
    assert err.count("\n") == 1


def test_a_file_above_the_limit_is_not_parsed_but_noted(
    tree: Tree, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[int] = []
    real = ast.parse

    def counting(source: str) -> ast.Module:
        parsed.append(len(source))
        return real(source)

    monkeypatch.setattr(ast, "parse", counting)
    root = _project(tree)
    document, err = _run(root, capsys, "--no-cache")
    assert _codes(document) == []  # no SYN001 in big.py, no IMP001 for what user.py imports
    assert "note: skipped demo/big.py: larger than max-file-size (2,000 bytes)" in err
    assert "not parsed" in err
    assert len(_BIG) > 2000 and parsed and max(parsed) < 2000


def test_raising_the_limit_parses_it_and_a_cached_run_follows(
    tree: Tree, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _project(tree)
    first, first_err = _run(root, capsys)
    warm, warm_err = _run(root, capsys)  # the stored report kept: its note too
    fresh, fresh_err = _run(root, capsys, "--no-cache")
    assert first == warm == fresh and _codes(first) == []
    assert "skipped demo/big.py" in first_err
    assert first_err == warm_err == fresh_err
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    raised, raised_err = _run(root, capsys)
    assert ("SYN001", "demo/big.py") in _codes(raised)
    assert "skipped" not in raised_err
    assert raised == _run(root, capsys, "--no-cache")[0]


def test_a_file_that_grows_past_the_limit_is_skipped_on_the_next_cached_run(
    tree: Tree, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _project(tree, "max-file-size = 5000")
    assert ("SYN001", "demo/big.py") in _codes(_run(root, capsys)[0])
    (root / "demo" / "big.py").write_text(_BIG * 2)
    document, err = _run(root, capsys)
    assert _codes(document) == [] and "skipped demo/big.py" in err
    assert _run(root, capsys)[1] == err


def test_the_api_reports_the_note_too(tree: Tree) -> None:
    report = run_check(CheckOptions(paths=(_project(tree),), use_cache=False))
    assert report.diagnostics == ()
    assert any(note.startswith("skipped demo/big.py") for note in report.notes)
