"""ruff's habits, continued (issue 14): unknown noqa codes warned, --config, --isolated, -v,
--stdin-filename."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from scaffold.cli import main

Tree = Callable[[Mapping[str, str | bytes]], Path]

# EXP001 on line 4; the noqa comment names a typo'd code, another tool's and a ruff alias.
FILES = {
    "pkg/__init__.py": (
        '"""Pkg."""\n\nimport os  # noqa: EXP999, E501, F401, IMP01\n__all__ = ["missing"]\n'
    ),
}


@pytest.fixture
def project(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tree(FILES)
    monkeypatch.chdir(root)
    return root


def test_unknown_noqa_codes_are_warned_on_stderr_with_the_nearest_code(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", "--no-cache", ".", "--format", "json"])
    captured = capsys.readouterr()
    assert code == 1
    assert [d["code"] for d in json.loads(captured.out)["diagnostics"]] == ["EXP001"]
    assert captured.err.splitlines() == [
        "warning: Unknown rule code in a noqa comment at pkg/__init__.py:3: EXP999"
        " (did you mean EXP007?)",
        "warning: Unknown rule code in a noqa comment at pkg/__init__.py:3: IMP01"
        " (did you mean IMP001?)",
    ]


def test_quiet_and_silent_drop_the_warning(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for flag in ("-q", "-s"):
        main(["check", "--no-cache", flag, "."])
        assert "warning" not in capsys.readouterr().err


def test_the_warning_names_the_path_from_the_current_folder(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project / "pkg")
    main(["check", "--no-cache", "."])
    assert "at __init__.py:3: EXP999" in capsys.readouterr().err


def test_with_the_cache_a_file_is_warned_about_when_it_is_read(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["check", "."])
    assert "EXP999" in capsys.readouterr().err
    main(["check", "."])  # unchanged, from the cache: not again, as ruff
    assert "EXP999" not in capsys.readouterr().err
    init = project / "pkg/__init__.py"
    init.write_text(init.read_text() + "# changed\n")
    main(["check", "."])
    assert "EXP999" in capsys.readouterr().err


# --- --config FILE and --isolated ---------------------------------------------------------

# EXP001 (error) in pkg/__init__.py; the project's own table ignores it.
CONFIGURED = {
    "pyproject.toml": '[project]\nname = "pkg"\n\n[tool.scaffold.check]\nignore = ["EXP001"]\n',
    "pkg/__init__.py": '"""Pkg."""\n\n__all__ = ["missing"]\n',
    "pkg/other.py": '"""Other."""\n\nX = 1\n__all__ = ["X", "X"]\n',  # EXP003, a warning
}


@pytest.fixture
def configured(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tree(CONFIGURED)
    monkeypatch.chdir(root)
    return root


def _codes(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    main(["check", *args, "--format", "json", "."])
    return sorted(d["code"] for d in json.loads(capsys.readouterr().out)["diagnostics"])


def test_isolated_ignores_every_configuration_file(
    configured: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _codes(capsys, "--no-cache") == ["EXP003"]
    assert _codes(capsys, "--no-cache", "--isolated") == ["EXP001", "EXP003"]


@pytest.mark.parametrize("name", ["pyproject.toml", "scaffold.toml"])
def test_config_file_replaces_the_discovered_table(
    configured: Path,
    capsys: pytest.CaptureFixture[str],
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
) -> None:
    other = tmp_path_factory.mktemp("elsewhere") / name
    other.write_text('[tool.scaffold.check]\nignore = ["EXP003"]\nfail-on = "error"\n')
    assert _codes(capsys, "--no-cache", "--config", str(other)) == ["EXP001"]
    # Its fail-on counts too: only the error fails.
    assert main(["check", "--no-cache", "--config", str(other), "--ignore", "EXP001", "."]) == 0


def test_the_cache_tells_configurations_apart(
    configured: Path, capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    other = tmp_path_factory.mktemp("elsewhere") / "check.toml"
    other.write_text('[tool.scaffold.check]\nignore = ["EXP003"]\n')
    assert _codes(capsys) == ["EXP003"]
    assert _codes(capsys, "--config", str(other)) == ["EXP001"]
    assert _codes(capsys, "--isolated") == ["EXP001", "EXP003"]
    assert _codes(capsys) == ["EXP003"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "no such file"),
        ("[tool.scaffold.check\n", "not valid TOML"),
        ("[tool.other]\nx = 1\n", "no [tool.scaffold.check] table"),
        ('[tool.scaffold.check]\nselekt = ["EXP"]\n', "unknown key 'selekt'"),
        ('[tool.scaffold.check]\nselect = ["NOPE"]\n', "NOPE"),
    ],
)
def test_a_bad_config_file_is_one_line_exit_2(
    configured: Path,
    capsys: pytest.CaptureFixture[str],
    text: str | None,
    message: str,
) -> None:
    path = configured / "bad.toml"
    if text is not None:
        path.write_text(text)
    before = sorted(p.name for p in configured.iterdir())
    assert main(["check", "--config", str(path), "."]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1, err
    assert sorted(p.name for p in configured.iterdir()) == before  # no cache written


def test_config_and_isolated_exclude_each_other(
    configured: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--isolated", "--config", "pyproject.toml", "."]) == 2
    assert "--isolated" in capsys.readouterr().err


# --- -v/--verbose -------------------------------------------------------------------------


def _verbose(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    main(["check", "-v", *args, "."])
    err = capsys.readouterr().err
    return [line for line in err.splitlines() if line.startswith("verbose: ")]


def test_verbose_says_what_was_read(configured: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = _verbose(capsys)
    assert first[0] == "verbose: configuration: pyproject.toml"
    assert first[1].startswith("verbose: cache: .scaffold_cache/check-")
    assert first[1].endswith("(2 of 2 files parsed, the rules ran)")
    assert first[2] == "verbose: files: 2 read, 2 reported on"
    assert first[3].startswith("verbose: time: ") and first[3].endswith(" s")
    second = _verbose(capsys)
    assert second[1].endswith("(0 of 2 files parsed, the stored report kept)")


def test_verbose_names_the_settings_given_and_no_cache(
    configured: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _verbose(capsys, "--no-cache", "--isolated")
    assert lines[:2] == [
        "verbose: configuration: none (--isolated)",
        "verbose: cache: not used (--no-cache)",
    ]
    assert _verbose(capsys, "--no-cache", "--config", "pyproject.toml")[0] == (
        "verbose: configuration: pyproject.toml (--config)"
    )


def test_without_verbose_or_with_quiet_nothing_is_said(
    configured: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["check", "--no-cache", "."])
    main(["check", "--no-cache", "-v", "-q", "."])
    assert "verbose:" not in capsys.readouterr().err


# --- --stdin-filename ---------------------------------------------------------------------


class _Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def _from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data: str, *args: str
) -> tuple[int, list[dict[str, object]]]:
    monkeypatch.setattr("sys.stdin", _Stdin(data.encode()))
    code = main(["check", "--format", "json", *args])
    out = capsys.readouterr().out
    return code, json.loads(out)["diagnostics"] if out else []


def test_stdin_is_checked_as_the_named_file_of_its_project(
    configured: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = (configured / "pkg/other.py").read_bytes()
    source = '"""Other."""\n\né = 1\n__all__ = ["é", "missing"]\n'
    code, found = _from_stdin(
        monkeypatch, capsys, source, "--isolated", "--stdin-filename", "pkg/other.py"
    )
    assert code == 1
    # Reported at the path given, at the stdin text's code-point column (not the disk's).
    assert [(d["code"], d["path"], d["line"], d["column"]) for d in found] == [
        ("EXP001", "pkg/other.py", 4, 17)
    ]
    assert (configured / "pkg/other.py").read_bytes() == before
    assert not (configured / ".scaffold_cache").exists()  # stdin is never cached


def test_stdin_replaces_the_file_on_disk(
    configured: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # On disk other.py has EXP003; the source on stdin does not.
    clean = '"""Other."""\n\nX = 1\n__all__ = ["X"]\n'
    assert _from_stdin(monkeypatch, capsys, clean, "--stdin-filename", "pkg/other.py") == (0, [])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--stdin-filename", "pkg/nope.py"], "not a Python file of a project"),
        (["--stdin-filename", "pyproject.toml"], "not a Python file of a project"),
        (["--stdin-filename", "pkg/other.py", "--fix"], "writes nothing"),
    ],
)
def test_stdin_filename_refusals_are_one_line_exit_2(
    configured: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.setattr("sys.stdin", _Stdin(b"x = 1\n"))
    assert main(["check", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1, err
