"""`--add-noqa`: every current finding silenced on a line its noqa is read from, the
file's meaning unchanged, idempotent, written as `--fix` writes."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from scaffold.check.add_noqa import noqa_comments
from scaffold.cli import main

Tree = Callable[[Mapping[str, str | bytes]], Path]

FILES = {
    "pkg/__init__.py": '"""Pkg."""\n\n__all__ = ["missing"]  # noqa: IMP009\n',
    "pkg/a.py": '"""A."""\n\nfrom . import b\n\nX = 1\n',
    "pkg/b.py": '"""B."""\n\nfrom . import a\n\nY = 2\n',
    # The call's first line ends inside a string: its noqa goes on its last line.
    "pkg/side.py": '"""Side."""\n\nprint("""\nhello # noqa: not a comment\n""")\n',
    # A name inside a multi-line import: on the name's line.
    "pkg/names.py": '"""Names."""\n\nfrom .a import (\n    X,\n    nothing,\n)\n',
    "pyproject.toml": '[project]\nname = "pkg"\n\n[project.scripts]\npkg = "pkg.nope:main"\n',
}


@pytest.fixture
def project(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tree(FILES)
    monkeypatch.chdir(root)
    return root


def _texts(root: Path) -> dict[str, bytes]:
    return {name: (root / name).read_bytes() for name in FILES}


def test_every_finding_is_silenced_where_its_noqa_is_read(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--no-cache", "."]) == 1
    capsys.readouterr()
    assert main(["check", "--no-cache", ".", "--add-noqa"]) == 0
    # Each import of the a <-> b loop gets one: a noqa silences only its own import.
    assert "Added 6 noqa directives in 6 files." in capsys.readouterr().err
    assert (project / "pkg/__init__.py").read_text().splitlines()[2] == (
        '__all__ = ["missing"]  # noqa: EXP001, IMP009'
    )
    assert (project / "pkg/a.py").read_text().splitlines()[2] == "from . import b  # noqa: IMP002"
    assert (project / "pkg/b.py").read_text().splitlines()[2] == "from . import a  # noqa: IMP002"
    assert (project / "pkg/side.py").read_text() == (
        '"""Side."""\n\nprint("""\nhello # noqa: not a comment\n""")  # noqa: IMP009\n'
    )
    assert (project / "pkg/names.py").read_text().splitlines()[4] == "    nothing,  # noqa: IMP006"
    assert (project / "pyproject.toml").read_text().splitlines()[4] == (
        'pkg = "pkg.nope:main"  # noqa: ENT001'
    )
    assert main(["check", "--no-cache", "."]) == 0


def test_a_second_run_changes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "--no-cache", ".", "--add-noqa"])
    once = _texts(project)
    capsys.readouterr()
    assert main(["check", "--no-cache", ".", "--add-noqa"]) == 0
    assert "Added 0 noqa directives in 0 files." in capsys.readouterr().err
    assert _texts(project) == once


def test_newlines_encoding_and_mode_are_kept(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree(
        {
            "pkg/__init__.py": b'# -*- coding: latin-1 -*-\r\n"""\xe9."""\r\n\r\n'
            b'__all__ = ["missing"]\r\n',
        }
    )
    os.chmod(root / "pkg/__init__.py", 0o640)
    monkeypatch.chdir(root)
    assert main(["check", "--no-cache", ".", "--add-noqa"]) == 0
    assert (root / "pkg/__init__.py").read_bytes() == (
        b'# -*- coding: latin-1 -*-\r\n"""\xe9."""\r\n\r\n__all__ = ["missing"]  # noqa: EXP001\r\n'
    )
    assert (root / "pkg/__init__.py").stat().st_mode & 0o777 == 0o640


def test_a_failed_write_leaves_every_file_as_it_was(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _texts(project)

    def refuse(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    assert main(["check", "--no-cache", ".", "--add-noqa"]) == 2
    assert _texts(project) == before
    assert not [p for p in project.rglob("*.tmp")]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('x = """\nabc\n"""\n', 1),  # the line ends inside a string
        ("x = 1 + \\\n    2\n", 1),  # a backslash continues the line
    ],
)
def test_a_line_that_cannot_take_a_comment_is_refused(text: str, line: int) -> None:
    assert noqa_comments(text, {line: {"IMP009"}}) == (text, {line})


def test_toml_lines_inside_a_multiline_string_are_refused() -> None:
    text = 'a = """\nb\n"""\nc = 1\n'
    after, refused = noqa_comments(text, {1: {"ENT001"}, 4: {"ENT003"}}, is_toml=True)
    assert refused == {1}
    assert after == 'a = """\nb\n"""\nc = 1  # noqa: ENT003\n'
