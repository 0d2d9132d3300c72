"""ruff's habits on `scaffold check`: --fail-on and its config key, --output-format and -o,
--extend-select, --ignore adding up, --color, -q, the [*] fixable marker."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from scaffold.cli import main

Tree = Callable[[Mapping[str, str | bytes]], Path]

# One error (EXP001), one warning (EXP003, fixable), and EXP007 (off by default).
FILES = {
    "pkg/__init__.py": '"""Pkg."""\n\nX = 1\n__all__ = ["X", "X", "missing"]\n',
    "pkg/other.py": '"""Other."""\n\nb = a = 1\n__all__ = ["b", "a"]\n',
}


@pytest.fixture
def project(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tree(FILES)
    monkeypatch.chdir(root)
    return root


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", "--no-cache", *args])
    return code, capsys.readouterr().out


def test_fail_on_error_passes_warnings(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, ".", "--select", "EXP003")[0] == 1
    assert _run(capsys, ".", "--select", "EXP003", "--fail-on", "error")[0] == 0
    assert _run(capsys, ".", "--fail-on", "error")[0] == 1
    assert _run(capsys, ".", "--select", "EXP003", "--fail-on", "warning")[0] == 1


def test_fail_on_from_the_configuration(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text('[tool.scaffold.check]\nfail-on = "error"\n')
    assert _run(capsys, ".", "--select", "EXP003")[0] == 0
    # The command line wins over the file.
    assert _run(capsys, ".", "--select", "EXP003", "--fail-on", "warning")[0] == 1


def test_a_run_parses_the_nearest_pyproject_once_and_sees_an_edit(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import tomllib

    parsed: list[str] = []
    loads = tomllib.loads

    def counting(text: str) -> dict[str, object]:
        parsed.append(text)
        return loads(text)

    monkeypatch.setattr(tomllib, "loads", counting)
    (project / "pyproject.toml").write_text('[tool.scaffold.check]\nfail-on = "error"\n')
    assert _run(capsys, ".", "--select", "EXP003")[0] == 0
    assert len(parsed) == 1  # read for --fail-on and for discovery, parsed once
    (project / "pyproject.toml").write_text('[tool.scaffold.check]\nfail-on = "warning"\n')
    assert _run(capsys, ".", "--select", "EXP003")[0] == 1
    assert len(parsed) == 2


@pytest.mark.parametrize(
    ("args", "config", "message"),
    [
        (["--fail-on", "info"], "", "unknown --fail-on 'info' (choose one of: error, warning)"),
        ([], 'fail-on = "never"', "fail-on must be one of 'error', 'warning', not 'never'"),
        (["--color", "sometimes"], "", "unknown --color 'sometimes'"),
    ],
)
def test_bad_values_exit_2_in_one_line(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    config: str,
    message: str,
) -> None:
    (project / "pyproject.toml").write_text(f"[tool.scaffold.check]\n{config}\n")
    assert main(["check", "--no-cache", ".", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_extend_select_and_ignores_add_up(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text('[tool.scaffold.check]\nignore = ["EXP001"]\n')
    out = json.loads(_run(capsys, ".", "--extend-select", "EXP007", "--format", "json")[1])
    assert sorted(d["code"] for d in out["diagnostics"]) == ["EXP003", "EXP007"]
    code, text = _run(capsys, ".", "--extend-select", "EXP007", "--ignore", "EXP003")
    assert code == 1 and "EXP003" not in text and "EXP001" not in text and "EXP007" in text
    # --extend-ignore is --ignore; -o writes the rendering to a file and prints nothing.
    args = ["--extend-select", "EXP007", "--extend-ignore", "EXP003", "-o", "r.json"]
    assert _run(capsys, ".", *args, "--output-format", "json") == (1, "")
    written = json.loads((project / "r.json").read_text(encoding="utf-8"))
    assert [d["code"] for d in written["diagnostics"]] == ["EXP007"]


def test_extend_ignore_in_the_configuration(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text('[tool.scaffold.check]\nextend-ignore = ["EXP"]\n')
    assert _run(capsys, ".") == (0, "All checks passed (2 files checked).\n")


def test_text_marks_fixable_findings_and_quiet_drops_the_summary(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = _run(capsys, ".", "--color", "never")
    assert out.splitlines() == [
        "pkg/__init__.py:4:17: EXP003 [*] 'X' is listed in __all__ more than once",
        "pkg/__init__.py:4:22: EXP001 'missing' is listed in __all__ but not defined",
        "Found 2 findings (1 error, 1 warning) in 2 files.",
        "[*] 1 fixable with the `--fix` option.",
    ]
    assert _run(capsys, ".", "-q")[1].splitlines() == out.splitlines()[:2]


@pytest.mark.parametrize(
    ("args", "env", "colored"),
    [
        (["--color", "always"], {}, True),
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
        ([], {"FORCE_COLOR": "1"}, True),
        ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        ([], {}, False),  # not a terminal
    ],
)
def test_color(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: dict[str, str],
    colored: bool,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert ("\033[" in _run(capsys, ".", *args)[1]) is colored


def test_all_selects_every_rule_the_off_ones_too(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = json.loads(_run(capsys, ".", "--select", "ALL", "--format", "json")[1])
    assert "EXP007" in {d["code"] for d in out["diagnostics"]}


def test_per_file_ignores_match_as_gitignore_does(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A pattern without a slash matches at any depth; one with a slash from the config's
    # folder, and a folder pattern covers everything below it.
    for patterns in ('"other.py"', '"pkg/o*.py"', '"pkg/"'):
        (project / "pyproject.toml").write_text(
            f'[tool.scaffold.check]\nper-file-ignores = {{ {patterns} = ["EXP007"] }}\n'
        )
        out = json.loads(_run(capsys, ".", "--extend-select", "EXP007", "--format", "json")[1])
        assert "EXP007" not in {d["code"] for d in out["diagnostics"]}, patterns
    (project / "pyproject.toml").write_text(
        '[tool.scaffold.check]\nper-file-ignores = { "/other.py" = ["EXP007"] }\n'
    )
    out = json.loads(_run(capsys, ".", "--extend-select", "EXP007", "--format", "json")[1])
    assert "EXP007" in {d["code"] for d in out["diagnostics"]}


def test_a_file_level_noqa_silences_its_codes_in_the_whole_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    init = project / "pkg/__init__.py"
    init.write_text(init.read_text() + "# scaffold: noqa: EXP001\n")
    out = json.loads(_run(capsys, ".", "--format", "json")[1])
    assert [d["code"] for d in out["diagnostics"]] == ["EXP003"]
    init.write_text(init.read_text() + "# scaffold: noqa\n")
    assert _run(capsys, ".")[0] == 0


def test_version_short_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-V"]) == 0
    assert capsys.readouterr().out.startswith("scaffold ")


def test_fix_only_and_exit_non_zero_on_fix(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    init = project / "pkg/__init__.py"
    original = init.read_text()
    # EXP003 is fixed, EXP001 is left: --fix-only reports nothing and exits 0.
    assert _run(capsys, ".", "--fix-only") == (0, "")
    assert init.read_text() != original
    init.write_text(original)
    assert _run(capsys, ".", "--fix-only", "--exit-non-zero-on-fix") == (1, "")
    # Nothing remains after the fix: 0, unless --exit-non-zero-on-fix.
    init.write_text(original)
    code, out = _run(capsys, ".", "--fix", "--select", "EXP003")
    assert code == 0 and "Fixed 1 finding, 0 remaining." in out
    init.write_text(original)
    assert _run(capsys, ".", "--fix", "--select", "EXP003", "--exit-non-zero-on-fix")[0] == 1


def test_silent_prints_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--no-cache", ".", "-s"]) == 1
    assert capsys.readouterr() == ("", "")


def test_show_files_and_settings(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text('[tool.scaffold.check]\nfail-on = "error"\n')
    assert _run(capsys, ".", "--show-files") == (
        0,
        "pkg/__init__.py\npkg/other.py\n",
    )
    assert _run(capsys, "pkg/other.py", "--show-files") == (0, "pkg/other.py\n")
    code, out = _run(capsys, ".", "--show-settings", "--extend-select", "EXP007")
    assert code == 0
    assert f"[{project / 'pyproject.toml'}]" in out and 'fail-on = "error"' in out
    assert "EXP007" in out.splitlines()[-1]
    # RUN001 runs only with --import, whatever the selection says.
    assert "RUN001" not in _run(capsys, ".", "--show-settings")[1].splitlines()[-1]
    assert "RUN001" in _run(capsys, ".", "--show-settings", "--import")[1].splitlines()[-1]


def test_show_fixes_lists_what_was_fixed(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--no-cache", ".", "--fix", "--show-fixes", "--select", "EXP003"]) == 0
    assert capsys.readouterr().err == (
        "Fixed 1 finding:\n- pkg/__init__.py:\n    1 x EXP003 (duplicate-export)\n"
    )
    assert main(["check", "--no-cache", ".", "--fix", "--show-fixes", "--select", "EXP003"]) == 0
    assert capsys.readouterr().err == "No findings were fixed.\n"


def test_every_check_option_reaches_the_command() -> None:
    # The CLI hands its options over by name: each must be a CheckCommand field.
    import inspect

    from scaffold.check.command import CheckCommand
    from scaffold.cli.check import check

    names = set(inspect.signature(check).parameters) - {"no_cache"}
    assert names <= set(CheckCommand.__dataclass_fields__)
